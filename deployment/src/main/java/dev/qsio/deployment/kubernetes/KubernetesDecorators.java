package dev.qsio.deployment.kubernetes;

import java.util.ArrayList;
import java.util.List;

import io.dekorate.kubernetes.decorator.Decorator;
import io.dekorate.kubernetes.decorator.NamedResourceDecorator;
import io.dekorate.kubernetes.decorator.ResourceProvidingDecorator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesListBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;

/**
 * The dekorate decorators behind {@link KubernetesManifests}. Only loaded when the application has
 * {@code quarkus-kubernetes} (dekorate and the fabric8 model are on the build's class path then).
 */
final class KubernetesDecorators {

    private KubernetesDecorators() {
    }

    static Decorator<?> terminationGracePeriod(long seconds) {
        return new TerminationGracePeriod(seconds);
    }

    static Decorator<?> autoscaler(KubernetesManifests.Autoscaler spec) {
        return new Autoscaler(spec);
    }

    /** Sets the grace period of every pod template that does not have one yet. */
    static final class TerminationGracePeriod extends NamedResourceDecorator<PodSpecBuilder> {

        private final long seconds;

        TerminationGracePeriod(long seconds) {
            this.seconds = seconds;
        }

        @Override
        public void andThenVisit(PodSpecBuilder spec, ObjectMeta meta) {
            if (spec.getTerminationGracePeriodSeconds() == null) {
                spec.withTerminationGracePeriodSeconds(seconds);
            }
        }
    }

    /** Adds a HorizontalPodAutoscaler of the application's Deployment on connected sockets per pod. */
    static final class Autoscaler extends ResourceProvidingDecorator<KubernetesListBuilder> {

        private final KubernetesManifests.Autoscaler spec;

        Autoscaler(KubernetesManifests.Autoscaler spec) {
            this.spec = spec;
        }

        @Override
        public void visit(KubernetesListBuilder list) {
            HasMetadata target = getMandatoryDeploymentHasMetadata(list);
            String name = target.getMetadata().getName();
            if (contains(list, "autoscaling/v2", "HorizontalPodAutoscaler", name)) {
                return;
            }
            List<MetricSpec> metrics = new ArrayList<>();
            metrics.add(new MetricSpecBuilder().withType("Pods")
                    .withNewPods()
                    .withNewMetric().withName(spec.metricName()).endMetric()
                    .withNewTarget().withType("AverageValue")
                    .withAverageValue(new Quantity(String.valueOf(spec.targetAverageConnections()))).endTarget()
                    .endPods()
                    .build());
            if (spec.cpuUtilization() != null) {
                metrics.add(new MetricSpecBuilder().withType("Resource")
                        .withNewResource().withName("cpu")
                        .withNewTarget().withType("Utilization").withAverageUtilization(spec.cpuUtilization()).endTarget()
                        .endResource()
                        .build());
            }
            list.addToItems(new HorizontalPodAutoscalerBuilder()
                    .withNewMetadata().withName(name).withLabels(target.getMetadata().getLabels()).endMetadata()
                    .withNewSpec()
                    .withNewScaleTargetRef().withApiVersion(target.getApiVersion()).withKind(target.getKind())
                    .withName(name).endScaleTargetRef()
                    .withMinReplicas(spec.minReplicas())
                    .withMaxReplicas(spec.maxReplicas())
                    .withMetrics(metrics)
                    .endSpec()
                    .build());
        }
    }
}
