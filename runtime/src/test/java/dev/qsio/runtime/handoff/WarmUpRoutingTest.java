package dev.qsio.runtime.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The primary's warm-up port routes each request to the worker its query names, and nothing else; the public port
 * routes as before, by the session the request names.
 */
class WarmUpRoutingTest {

    @Test
    void aQueryParameterIsReadByItsWholeName() {
        String target = "/socket.io/?EIO=4&transport=polling&sid=abc&qsio-warm-up=3";
        assertThat(RequestLine.param(target, "qsio-warm-up")).isEqualTo("3");
        assertThat(RequestLine.sid(target)).isEqualTo("abc");
        // a parameter whose name only begins with the one asked for is another one
        assertThat(RequestLine.param("/socket.io/?sidx=1&sid=2", "sid")).isEqualTo("2");
        assertThat(RequestLine.param("/socket.io/?qsio-warm-up-x=1", "qsio-warm-up")).isNull();
        // empty, absent, no query at all
        assertThat(RequestLine.param("/socket.io/?qsio-warm-up=&EIO=4", "qsio-warm-up")).isNull();
        assertThat(RequestLine.param("/socket.io/?EIO=4", "qsio-warm-up")).isNull();
        assertThat(RequestLine.param("/socket.io/", "qsio-warm-up")).isNull();
    }

    @Test
    void theWarmUpPortRoutesToTheWorkerItsRequestNamesAndToNoneOtherwise() {
        Acceptor.Router warmUp = Acceptor.warmUpRouter();
        assertThat(warmUp.route("/socket.io/?EIO=4&transport=websocket&qsio-warm-up=2")).isEqualTo(2);
        assertThat(warmUp.route("/socket.io/?EIO=4&transport=polling&sid=x&qsio-warm-up=7")).isEqualTo(7);
        // a request that names no worker, or not by a number, goes nowhere (it waits, then gets 503)
        assertThat(warmUp.route("/socket.io/?EIO=4&transport=websocket")).isEqualTo(-1);
        assertThat(warmUp.route("/socket.io/?qsio-warm-up=one")).isEqualTo(-1);
        assertThat(warmUp.route(null)).isEqualTo(-1);
    }

    @Test
    void thePublicPortRoutesByTheSessionElseToAnyWorker() {
        Acceptor.Router router = new Acceptor.Router() {
            @Override
            public int owner(String sid) {
                return "mine".equals(sid) ? 4 : -1;
            }

            @Override
            public int any() {
                return 1;
            }
        };
        assertThat(router.route("/socket.io/?EIO=4&transport=polling&sid=mine")).isEqualTo(4);
        assertThat(router.route("/socket.io/?EIO=4&transport=polling&sid=gone")).isEqualTo(1);
        assertThat(router.route("/socket.io/?EIO=4&transport=polling")).isEqualTo(1);
        // the warm-up's parameter means nothing on the public port
        assertThat(router.route("/socket.io/?EIO=4&transport=polling&qsio-warm-up=4")).isEqualTo(1);
        assertThat(router.route(null)).isEqualTo(1);
    }
}
