package dev.qsio.runtime.cluster;

import io.quarkus.runtime.configuration.ConfigBuilder;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Installs {@link ClusterRoleInterceptor} in the runtime configuration. */
public class ClusterConfigCustomizer implements ConfigBuilder {

    @Override
    public SmallRyeConfigBuilder configBuilder(SmallRyeConfigBuilder builder) {
        return builder.withInterceptors(new ClusterRoleInterceptor());
    }
}
