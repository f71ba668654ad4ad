package dev.qsio.runtime.cluster;

import io.quarkus.runtime.configuration.ConfigBuilder;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Installs {@link ClusterRoleInterceptor} in the runtime configuration; in a worker, also the first thing it runs,
 * starts watching its primary ({@link Worker#watchPrimaryFromTheStart()}).
 */
public class ClusterConfigCustomizer implements ConfigBuilder {

    @Override
    public SmallRyeConfigBuilder configBuilder(SmallRyeConfigBuilder builder) {
        Worker.watchPrimaryFromTheStart();
        return builder.withInterceptors(new ClusterRoleInterceptor());
    }
}
