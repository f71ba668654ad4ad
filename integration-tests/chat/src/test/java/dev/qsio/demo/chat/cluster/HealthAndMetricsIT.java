package dev.qsio.demo.chat.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * The primary's probes and metrics with real workers: readiness through start, a crash and a rolling restart, and
 * the Prometheus text of the whole host in one scrape.
 */
class HealthAndMetricsIT {

    static final String TOKEN = "health-token";

    @Test
    void readinessFollowsTheWorkers() {
        try (ClusterProcess cluster = ClusterProcess.launch(ClusterIT.JAR, 2, Map.of(
                "quarkus.socketio.cluster.restart-delay", "1s",
                "quarkus.socketio.cluster.control.enabled", "true",
                "quarkus.socketio.cluster.control.token", TOKEN), "health")) {
            // during start: the management interface answers before the workers are ready
            List<Integer> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                int status = cluster.status("/q/health/ready");
                if (status > 0 && (seen.isEmpty() || seen.get(seen.size() - 1) != status)) {
                    seen.add(status);
                }
                return status == 200;
            });
            assertThat(seen).startsWith(503).endsWith(200);
            assertThat(cluster.status("/q/health/started")).isEqualTo(200);
            assertThat(cluster.status("/q/health/live")).isEqualTo(200);
            cluster.awaitReady(2);

            // a worker killed: below the minimum until it is back
            ClusterProcess.signal(cluster.worker(2).path("pid").asLong(), "KILL");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> cluster.status("/q/health/ready") == 503);
            assertThat(cluster.text("/q/health/ready")).contains("\"worker-2\"");
            ClusterProcess.awaitReadiness(Duration.ofSeconds(30), cluster);
            assertThat(cluster.status("/q/health/live")).isEqualTo(200);

            // a rolling restart: the draining process is reported not ready
            assertThat(cluster.management("POST", "/q/socketio/cluster/rolling-restart", TOKEN).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> cluster.text("/q/health/ready").contains("not ready, draining"));
        }
    }

    @Test
    void oneScrapeOfThePrimaryCoversEveryWorker() {
        try (ClusterProcess cluster = ClusterProcess.start(ClusterIT.JAR, 2, Map.of(), "metrics");
                ClientDriver driver = ClientDriver.start()) {
            // a start says nothing to act on: no WARN (each worker warned of a duplicate server gauge), and the
            // primary's startup line names the port it holds (it read "Listening on: ." before)
            String started = cluster.logText();
            assertThat(started.lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))).as("started:\n%s",
                    started).isEmpty();
            String port = cluster.url().replaceAll(".*:(\\d+)/?$", "$1");
            assertThat(started).doesNotContain("Listening on: .")
                    .containsPattern("\\(main\\) quarkus-socketio-demo-chat .* Listening on: http://[^ ]+:" + port
                            + "\\. Management interface");
            int n = 24;
            Map<Integer, Integer> perWorker = new HashMap<>();
            for (int i = 0; i < n; i++) {
                driver.connect("m" + i, cluster.url(), i % 2 == 0 ? Map.of("transports", List.of("websocket")) : Map.of(
                        "transports", List.of("polling")));
            }
            for (int i = 0; i < n; i++) {
                int w = driver.awaitEmit("m" + i, "hello").get("args").get(0).get("worker").asInt();
                perWorker.merge(w, 1, Integer::sum);
            }
            Pattern gauge = Pattern.compile(
                    "^socketio_connected_sockets\\{(?<labels>[^}]*)} (?<value>[0-9.eE+-]+)$", Pattern.MULTILINE);
            Map<String, Double> byWorker = new HashMap<>();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
                byWorker.clear();
                Matcher m = gauge.matcher(cluster.text("/q/metrics"));
                while (m.find()) {
                    Matcher worker = Pattern.compile("worker=\"(\\d+)\"").matcher(m.group("labels"));
                    assertThat(worker.find()).as(m.group()).isTrue();
                    byWorker.merge(worker.group(1), Double.parseDouble(m.group("value")), Double::sum);
                }
                return byWorker.values().stream().mapToDouble(Double::doubleValue).sum() == n;
            });
            assertThat(byWorker.keySet()).containsExactlyInAnyOrder("1", "2");
            for (Map.Entry<Integer, Integer> e : perWorker.entrySet()) {
                assertThat(byWorker.get(String.valueOf(e.getKey()))).isEqualTo(e.getValue().doubleValue());
            }
            String metrics = cluster.text("/q/metrics");
            assertThat(metrics).contains("socketio_cluster_workers{state=\"running\"} 2.0")
                    .contains("socketio_handshakes_total{outcome=\"accepted\",worker=\"1\"}")
                    .contains("socketio_cluster_worker_restarts_total{worker=\"2\"}");
            ClusterIT.report("metrics: connected sockets by worker " + byWorker);
        }
    }

    /**
     * The Admin UI's login figures, counted by the worker that checked each login, reach the primary with the workers'
     * figures: the cluster endpoint shows them under each worker's {@code stats.adminLogins}, and one scrape of the
     * primary has them for every worker. Wrong passwords from the official client.
     */
    @Test
    void theAdminUisLoginsOfEveryWorkerAreInTheScrapeAndTheClusterEndpoint() {
        try (ClusterProcess cluster = ClusterProcess.start(ClusterIT.JAR, 2, AdminUiIT.ON, "metrics-admin");
                ClientDriver driver = ClientDriver.start()) {
            int n = 8;
            long told = 0;
            for (int i = 0; i < n; i++) {
                driver.connect("g" + i, cluster.url() + "/admin", Map.of("auth", Map.of("username", "admin", "password",
                        "nope"), "transports", List.of("websocket"), "reconnection", false));
                String message = driver.await("g" + i, "connect_error").get("message").asText();
                // past 5 failures of this address on one worker its logins are refused without a check
                assertThat(message).matches("invalid credentials|too many failed logins, retry in \\d+ s");
                if (message.equals("invalid credentials")) {
                    told++;
                }
            }
            assertThat(told).as("wrong passwords checked").isBetween(5L, (long) n);
            long checked = told;
            Pattern counter = Pattern.compile("^socketio_admin_logins_checked_total\\{worker=\"(\\d+)\"} ([0-9.eE+-]+)$",
                    Pattern.MULTILINE);
            Map<String, Double> scraped = new HashMap<>();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
                scraped.clear();
                Matcher m = counter.matcher(cluster.text("/q/metrics"));
                while (m.find()) {
                    scraped.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
                }
                return scraped.values().stream().mapToDouble(Double::doubleValue).sum() == checked;
            });
            assertThat(scraped.keySet()).as("a series per worker").containsExactlyInAnyOrder("1", "2");
            // each worker reports its figures with its heartbeat: a refusal without a check (rate limited) may reach
            // the primary a heartbeat after the checked ones did, so wait for the endpoint's sums to settle at n
            long[] endpoint = new long[2];
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
                endpoint[0] = 0;
                endpoint[1] = 0;
                for (var w : cluster.workers()) {
                    var logins = w.path("stats").path("adminLogins");
                    endpoint[0] += logins.path("checked").asLong();
                    endpoint[1] += logins.path("refusedInvalidCredentials").asLong()
                            + logins.path("refusedRateLimited").asLong();
                }
                return endpoint[1] >= n;
            });
            assertThat(endpoint[0]).as("stats.adminLogins.checked of the workers").isEqualTo(checked);
            assertThat(endpoint[1]).as("every wrong login refused, by reason").isEqualTo(n);
            ClusterIT.report("admin logins: " + checked + " checked of " + n + ", by worker " + scraped);
        }
    }
}
