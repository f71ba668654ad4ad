package dev.qsio.it.features;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.ClusterMessage;
import dev.qsio.WorkerLifecycleEvent;

/** Observes the cluster's CDI events: lifecycle steps in the primary, messages from the primary in the workers. */
@ApplicationScoped
public class ClusterObservers {

    private static final Logger LOG = Logger.getLogger(ClusterObservers.class);

    private final List<JsonNode> messages = new CopyOnWriteArrayList<>();

    /** Read through a method: fields of a normal-scoped bean are not reachable through its client proxy. */
    public List<JsonNode> messages() {
        return messages;
    }

    void lifecycle(@Observes WorkerLifecycleEvent event) {
        LOG.infof("lifecycle event %s of worker %d (pid %d, exit code %d)", event.kind(), event.workerId(), event.pid(),
                event.exitCode());
    }

    void message(@Observes ClusterMessage message) {
        messages.add(message.payload());
    }
}
