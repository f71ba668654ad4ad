package dev.qsio.demo.chat;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import dev.qsio.OnBroadcast;

/**
 * Counts the chat messages of the whole cluster: every worker's counter sees every broadcast of {@code chat}, wherever
 * it was sent, so all workers agree.
 */
@ApplicationScoped
public class MessageCounter {

    private final AtomicLong messages = new AtomicLong();

    @OnBroadcast("chat")
    void counted(Chat.Message message) {
        messages.incrementAndGet();
    }

    public long messages() {
        return messages.get();
    }
}
