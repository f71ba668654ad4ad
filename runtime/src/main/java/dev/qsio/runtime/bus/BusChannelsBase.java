package dev.qsio.runtime.bus;

/**
 * What every {@link BusChannels} answers alike, from its {@link BrokerLink}: whether it is up, who is told of each
 * change, how many outages and dropped publications, the last error, when the attempt under way started. Each wire
 * connects, publishes and subscribes its own way, and changes the link as it goes.
 */
public abstract class BusChannelsBase implements BusChannels {

    /** Up or down, closed, the attempt under way, what was dropped, the wait before the next attempt. */
    protected final BrokerLink link = new BrokerLink();

    @Override
    public final boolean isUp() {
        return link.isUp();
    }

    @Override
    public final void onUp(Runnable listener) {
        link.onUp(listener);
    }

    @Override
    public final void onDown(Runnable listener) {
        link.onDown(listener);
    }

    @Override
    public final long dropped() {
        return link.dropped();
    }

    @Override
    public final long outages() {
        return link.outages();
    }

    @Override
    public String lastError() {
        return link.lastError();
    }

    @Override
    public final long attemptStarted() {
        return link.attemptStarted();
    }
}
