package dev.qsio.runtime.config;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

import io.quarkus.runtime.annotations.ConfigDocDefault;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * What the extension adds to the manifests that {@code quarkus-kubernetes} generates, when the application has it.
 */
@ConfigMapping(prefix = "quarkus.socketio.kubernetes")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface KubernetesConfig {

    /**
     * The pod's {@code terminationGracePeriodSeconds}: how long Kubernetes waits after {@code SIGTERM} before it kills
     * the pod. It must exceed the graceful shutdown of the process: the primary gives its workers
     * {@code quarkus.socketio.cluster.shutdown-timeout} to close their sessions, and itself 5 s more.
     */
    @ConfigDocDefault("quarkus.socketio.cluster.shutdown-timeout (or quarkus.shutdown.timeout, if longer) at build time, plus 15 s")
    Optional<Duration> terminationGracePeriod();

    /**
     * The HorizontalPodAutoscaler on connected sockets per pod.
     */
    Autoscaling autoscaling();

    interface Autoscaling {

        /**
         * Whether the manifests carry a HorizontalPodAutoscaler (autoscaling/v2) of the application's Deployment on the
         * average of connected sockets per pod. The metric reaches Kubernetes through the Prometheus adapter (see the
         * Kubernetes page).
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * The fewest pods.
         */
        @WithDefault("1")
        int minReplicas();

        /**
         * The most pods.
         */
        @WithDefault("10")
        int maxReplicas();

        /**
         * The average of connected sockets per pod above which pods are added, and below which they are removed.
         */
        @WithDefault("40000")
        long targetAverageConnections();

        /**
         * The pods metric: the name under which the Prometheus adapter serves the sum of
         * {@code socketio_connected_sockets} over a pod's series.
         */
        @WithDefault("socketio_connected_sockets")
        String metricName();

        /**
         * A CPU utilization target (percent of the container's CPU request) as a second metric; unset: connections
         * only. The container needs a CPU request ({@code quarkus.kubernetes.resources.requests.cpu}).
         */
        OptionalInt cpuUtilization();
    }
}
