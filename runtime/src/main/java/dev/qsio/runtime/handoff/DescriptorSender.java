package dev.qsio.runtime.handoff;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.FileDescriptor;

/**
 * Sends descriptors on a hand-off link with at most {@link ConnectionHandOff#MAX_IN_FLIGHT} unacknowledged, queueing
 * the others. Its state belongs to the link's event loop.
 */
final class DescriptorSender extends ChannelInboundHandlerAdapter {

    /** A descriptor to send, and what to do once it was sent or could not be. */
    record Outgoing(int fd, Consumer<Throwable> done) {
    }

    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    private Channel channel;
    private int inFlight;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    /** Sends {@code fd} when the link has room; from any thread. */
    void submit(Outgoing outgoing) {
        channel.eventLoop().execute(() -> {
            if (!channel.isActive()) {
                outgoing.done().accept(new IOException("the hand-off link is closed"));
                return;
            }
            queue.add(outgoing);
            drain();
        });
    }

    private void drain() {
        while (inFlight < ConnectionHandOff.MAX_IN_FLIGHT && !queue.isEmpty()) {
            Outgoing o = queue.poll();
            inFlight++;
            channel.writeAndFlush(new FileDescriptor(o.fd())).addListener(f -> o.done().accept(f.cause()));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // one byte per descriptor the receiver took
        ByteBuf acks = (ByteBuf) msg;
        inFlight = Math.max(0, inFlight - acks.readableBytes());
        acks.release();
        drain();
    }

    /** The receiver's process went away (a worker killed): the link closes, and what was queued fails. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LinkErrors.INSTANCE.exceptionCaught(ctx, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        IOException closed = new IOException("the hand-off link closed");
        for (Outgoing o; (o = queue.poll()) != null;) {
            o.done().accept(closed);
        }
        ctx.fireChannelInactive();
    }
}
