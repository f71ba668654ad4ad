package dev.qsio.runtime.handoff;

import org.jboss.logging.Logger;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The last handler of a hand-off link's pipeline (the local sockets between the processes of one host): an error on
 * the link, most often its peer's death (a worker killed: "connection reset by peer"), closes it quietly. Without it
 * Netty logged each such error as a warning of a handler missing ("reached at the tail of the pipeline") in the
 * processes that survived. Whoever owns the link learns of it as a close.
 */
@Sharable
final class LinkErrors extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(LinkErrors.class);

    static final LinkErrors INSTANCE = new LinkErrors();

    private LinkErrors() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debugf("hand-off link %s closed on an error: %s", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
