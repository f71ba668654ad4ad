package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * The primary's control over its workers: the bus refuses a peer without the launch secret, messages reach the
 * workers as CDI events, lifecycle steps are CDI events in the primary, and SIGUSR1 rolls the workers (one asked during
 * a roll is followed by another for the processes started before it).
 */
class ClusterControlIT {

    static final String TOKEN = "control-token";

    @Test
    void busSecretMessagesLifecycleEventsAndSignals() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, Map.of(
                "quarkus.socketio.cluster.control.enabled", "true",
                "quarkus.socketio.cluster.control.token", TOKEN), "control");
                ClientDriver driver = ClientDriver.start()) {
            ClusterApiIT.cluster = cluster;

            // a local process that does not know the secret cannot join the bus
            Matcher m = Pattern.compile("cluster bus on 127\\.0\\.0\\.1:(\\d+)").matcher(cluster.logText());
            assertThat(m.find()).isTrue();
            int busPort = Integer.parseInt(m.group(1));
            try (Socket intruder = new Socket("127.0.0.1", busPort)) {
                intruder.setSoTimeout(5000);
                DataOutputStream out = new DataOutputStream(intruder.getOutputStream());
                byte[] secret = "guessed".getBytes(StandardCharsets.UTF_8);
                out.writeInt(1 + 4 + 4 + 8 + 4 + secret.length);
                out.writeByte(1);
                out.writeInt(99);
                out.writeInt(7);
                out.writeLong(1234);
                out.writeInt(secret.length);
                out.write(secret);
                out.flush();
                DataInputStream in = new DataInputStream(intruder.getInputStream());
                int length = in.readInt();
                assertThat(in.readByte()).as("REFUSED frame").isEqualTo((byte) 7);
                in.readNBytes(length - 1);
                boolean closed;
                try {
                    closed = in.read() < 0;
                } catch (EOFException | java.net.SocketException e) {
                    closed = true;
                }
                assertThat(closed).isTrue();
            }
            assertThat(cluster.logText()).contains("Refused a bus connection");
            assertThat(cluster.workers()).hasSize(2).allMatch(w -> w.path("ready").asBoolean());

            // messages to every worker and to one, received as CDI events there
            var placed = ClusterApiIT.place(driver, "x", Map.of());
            assertThat(cluster.management("POST", "/q/socketio/cluster/message", TOKEN, "{\"data\":{\"to\":\"all\"}}")
                    .statusCode()).isEqualTo(202);
            assertThat(cluster.management("POST", "/q/socketio/cluster/message", TOKEN,
                    "{\"worker\":2,\"data\":{\"to\":\"two\"}}").statusCode()).isEqualTo(202);
            String one = placed.get(1).get("websocket").get(0);
            String two = placed.get(2).get("websocket").get(0);
            String[] got = new String[1];
            await().atMost(Duration.ofSeconds(10)).alias("messages of worker 2: " + java.util.Arrays.toString(got))
                    .until(() -> (got[0] = ClusterApiIT.ack(driver, two, "messages").get(0).toString())
                            .equals("[{\"to\":\"all\"},{\"to\":\"two\"}]"));
            assertThat(ClusterApiIT.ack(driver, one, "messages").get(0).toString()).isEqualTo("[{\"to\":\"all\"}]");

            // the primary observed the lifecycle of its workers
            assertThat(cluster.logText()).contains("lifecycle event SPAWNED of worker 1", "lifecycle event READY of worker 1",
                    "lifecycle event SPAWNED of worker 2", "lifecycle event READY of worker 2");

            // SIGUSR1: rolling restart
            Set<Long> before = new TreeSet<>();
            cluster.workers().forEach(w -> before.add(w.path("pid").asLong()));
            ClusterProcess.signal(cluster.pid(), "USR1");
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                List<com.fasterxml.jackson.databind.JsonNode> w = cluster.workers();
                return w.size() == 2 && w.stream().allMatch(x -> x.path("ready").asBoolean()
                        && !before.contains(x.path("pid").asLong()));
            });
            assertThat(cluster.logText()).contains("SIGUSR1: rolling restart", "lifecycle event EXITED of worker 1");
            // the restart ends once the old processes are gone; a request before that would start another after it
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.logText().contains("Rolling restart done"));

            // a rolling restart asked while a worker is starting again after a crash replaces that one too, once it
            // is ready: it was started before the request (the deploy campaign's SIGKILL then SIGUSR1 left one
            // worker of the old build). SIGSTOP holds it starting until the primary has taken the request.
            long killed = cluster.workers().get(0).path("pid").asLong();
            ClusterProcess.signal(killed, "KILL");
            long[] starting = { 0 };
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                for (com.fasterxml.jackson.databind.JsonNode w : cluster.workers()) {
                    long pid = w.path("pid").asLong();
                    if (pid > 0 && pid != killed && !before.contains(pid) && !w.path("ready").asBoolean()) {
                        starting[0] = pid;
                        return true;
                    }
                }
                return false;
            });
            ClusterProcess.signal(starting[0], "STOP");
            Set<Long> atRequest = new TreeSet<>();
            try {
                cluster.workers().forEach(w -> atRequest.add(w.path("pid").asLong()));
                assertThat(atRequest).contains(starting[0]);
                int rollsBefore = count(cluster.logText(), "Rolling restart of ");
                ClusterProcess.signal(cluster.pid(), "USR1");
                await().atMost(Duration.ofSeconds(30)).until(() -> count(cluster.logText(), "Rolling restart of ")
                        > rollsBefore);
                String log = cluster.logText();
                int last = log.lastIndexOf("Rolling restart of ");
                assertThat(log.substring(last, log.indexOf('\n', last))).as("the second rolling restart")
                        .isEqualTo("Rolling restart of 2 workers");
            } finally {
                ClusterProcess.signal(starting[0], "CONT");
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                List<com.fasterxml.jackson.databind.JsonNode> w = cluster.workers();
                return w.size() == 2 && w.stream().allMatch(x -> x.path("ready").asBoolean()
                        && !atRequest.contains(x.path("pid").asLong()));
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> count(cluster.logText(), "Rolling restart done") == 2);

            // a second deploy while the first rolls: once a worker has been replaced, another request; the worker
            // replaced before it may run the first deploy's build, so a follow-up replaces every process started
            // before the request (joining the roll under way left that one)
            Set<Long> beforeThird = new TreeSet<>();
            cluster.workers().forEach(w -> beforeThird.add(w.path("pid").asLong()));
            ClusterProcess.signal(cluster.pid(), "USR1");
            Set<Long> atSecondDeploy = new TreeSet<>();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20)).until(() -> {
                atSecondDeploy.clear();
                boolean replaced = false;
                for (com.fasterxml.jackson.databind.JsonNode w : cluster.workers()) {
                    long pid = w.path("pid").asLong();
                    atSecondDeploy.add(pid);
                    replaced |= w.path("ready").asBoolean() && !beforeThird.contains(pid);
                }
                return replaced;
            });
            assertThat(cluster.logText()).doesNotContain("Rolling restart asked during one");
            ClusterProcess.signal(cluster.pid(), "USR1");
            await().atMost(Duration.ofSeconds(180)).alias("every process started before the second deploy replaced")
                    .until(() -> {
                        List<com.fasterxml.jackson.databind.JsonNode> w = cluster.workers();
                        return w.size() == 2 && w.stream().allMatch(x -> x.path("ready").asBoolean()
                                && !atSecondDeploy.contains(x.path("pid").asLong()));
                    });
            assertThat(cluster.logText()).contains("Rolling restart asked during one");
            await().atMost(Duration.ofSeconds(60)).until(() -> count(cluster.logText(), "Rolling restart done") == 4);
        }
    }

    static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
