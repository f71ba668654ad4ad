package dev.qsio.deployment.kubernetes;

import java.time.Duration;
import java.util.List;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import dev.qsio.runtime.config.KubernetesConfig;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.kubernetes.spi.DecoratorBuildItem;

/**
 * What the extension adds to the manifests of {@code quarkus-kubernetes}: a termination grace period that outlasts
 * the cluster's graceful shutdown, and a HorizontalPodAutoscaler on connected sockets. The probes (on the management
 * port when it is enabled), the container ports and the Prometheus annotations come from {@code quarkus-kubernetes},
 * {@code quarkus-smallrye-health} and Micrometer themselves.
 * <p>
 * There is no capability for {@code quarkus-kubernetes}: its presence is told by dekorate on the build's class path,
 * and the dekorate types stay in {@link KubernetesDecorators}, loaded only then.
 */
public class KubernetesManifests {

    /** The targets that get the decorators: the plain Kubernetes ones (Knative scales by itself). */
    static final List<String> TARGETS = List.of("kubernetes", "minikube", "kind");

    /** Beyond the workers' shutdown timeout: the primary's own 5 s, then the JVM's exit. */
    static final Duration SHUTDOWN_MARGIN = Duration.ofSeconds(15);

    record Autoscaler(int minReplicas, int maxReplicas, long targetAverageConnections, String metricName,
            Integer cpuUtilization) {
    }

    @BuildStep
    void decorate(KubernetesConfig config, BuildProducer<DecoratorBuildItem> decorators) {
        if (!kubernetesPresent()) {
            return;
        }
        long grace = config.terminationGracePeriod().orElseGet(KubernetesManifests::defaultGracePeriod).toSeconds();
        KubernetesConfig.Autoscaling a = config.autoscaling();
        for (String target : TARGETS) {
            decorators.produce(new DecoratorBuildItem(target, KubernetesDecorators.terminationGracePeriod(grace)));
            if (a.enabled()) {
                decorators.produce(new DecoratorBuildItem(target, KubernetesDecorators.autoscaler(new Autoscaler(
                        a.minReplicas(), a.maxReplicas(), a.targetAverageConnections(), a.metricName(),
                        a.cpuUtilization().isPresent() ? a.cpuUtilization().getAsInt() : null))));
            }
        }
    }

    /**
     * {@code quarkus.socketio.cluster.shutdown-timeout}, or Quarkus' own {@code quarkus.shutdown.timeout} when longer,
     * as the build sees them, plus {@link #SHUTDOWN_MARGIN}. (Both are runtime settings: a value given only at
     * startup is not seen here; set {@code quarkus.socketio.kubernetes.termination-grace-period} then.)
     */
    static Duration defaultGracePeriod() {
        Config config = ConfigProvider.getConfig();
        Duration workers = config.getOptionalValue("quarkus.socketio.cluster.shutdown-timeout", Duration.class)
                .orElse(Duration.ofSeconds(30));
        Duration quarkus = config.getOptionalValue("quarkus.shutdown.timeout", Duration.class).orElse(Duration.ZERO);
        Duration longest = workers.compareTo(quarkus) >= 0 ? workers : quarkus;
        return longest.plus(SHUTDOWN_MARGIN);
    }

    static boolean kubernetesPresent() {
        try {
            Class.forName("io.dekorate.kubernetes.decorator.Decorator", false, KubernetesManifests.class.getClassLoader());
            Class.forName("io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder", false,
                    KubernetesManifests.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
