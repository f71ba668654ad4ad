package dev.qsio.deployment;

import io.quarkus.builder.item.EmptyBuildItem;

/** Marks that the runtime settings have been checked: the steps that read them consume it to run after. */
public final class SettingsCheckedBuildItem extends EmptyBuildItem {
}
