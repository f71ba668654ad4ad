package dev.qsio.campaign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The campaign's own network: a core namespace with a bridge, where Redis, HAProxy, the clients and the campaign
 * itself run, and a namespace per host joined to the bridge by a veth link. Nothing is added to the machine's own
 * namespace, which has no route to these addresses: traffic stays on the namespaces' loopbacks and links. Every name
 * starts with {@link #prefix()}; {@link #sweep(String)} removes what a run that was killed left, and {@link #close()}
 * removes everything (namespaces take their links, rules and queues with them).
 */
public final class Lab implements AutoCloseable {

    /** The core's address on the bridge: Redis and HAProxy are reached there. */
    public static final String CORE_ADDRESS = "10.231.0.1";

    private final String prefix;
    private final List<String> hosts;

    private Lab(String prefix, List<String> hosts) {
        this.prefix = prefix;
        this.hosts = hosts;
    }

    /**
     * The prefix of a checkout's namespaces: {@code qsio-} and the checkout folder's name (letters and digits, at most
     * 12), so that campaigns of two checkouts on one machine do not meet.
     */
    public static String prefixFor(String checkoutName) {
        String name = checkoutName.replaceAll("[^A-Za-z0-9]", "");
        return "qsio-" + (name.isEmpty() ? "campaign" : name.substring(0, Math.min(12, name.length())));
    }

    /** Creates the core namespace and one namespace per host, after removing what an earlier run left. */
    public static Lab create(String prefix, List<String> hosts) {
        sweep(prefix);
        Lab lab = new Lab(prefix, hosts);
        try {
            String core = lab.core();
            run("ip", "netns", "add", core);
            run("ip", "-n", core, "link", "set", "lo", "up");
            run("ip", "-n", core, "link", "add", "br0", "type", "bridge");
            run("ip", "-n", core, "addr", "add", CORE_ADDRESS + "/24", "dev", "br0");
            run("ip", "-n", core, "link", "set", "br0", "up");
            for (int i = 0; i < hosts.size(); i++) {
                String host = hosts.get(i);
                String ns = lab.namespace(host);
                String link = "vh" + host;
                run("ip", "netns", "add", ns);
                run("ip", "-n", ns, "link", "set", "lo", "up");
                run("ip", "-n", core, "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns);
                run("ip", "-n", core, "link", "set", link, "master", "br0");
                run("ip", "-n", core, "link", "set", link, "up");
                run("ip", "-n", ns, "addr", "add", lab.address(host) + "/24", "dev", "eth0");
                run("ip", "-n", ns, "link", "set", "eth0", "up");
            }
            return lab;
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    /** The lab a campaign runs in, created by another process (the campaign runs inside its core). */
    public static Lab existing(String prefix, List<String> hosts) {
        return new Lab(prefix, hosts);
    }

    public String prefix() {
        return prefix;
    }

    public String core() {
        return prefix + "-core";
    }

    public String namespace(String host) {
        return prefix + "-" + host;
    }

    /** A host's address on the bridge: 10.231.0.2, .3, ... in the order of the hosts. */
    public String address(String host) {
        int i = hosts.indexOf(host);
        if (i < 0) {
            throw new IllegalArgumentException("no host " + host + " in " + hosts);
        }
        return "10.231.0." + (i + 2);
    }

    /** The command that runs another inside a namespace. */
    public static List<String> inside(String namespace) {
        return List.of("ip", "netns", "exec", namespace);
    }

    /** Kills whatever runs in the namespaces of this prefix, and deletes them. */
    public static void sweep(String prefix) {
        for (String ns : namespaces(prefix)) {
            String pids = output(List.of("ip", "netns", "pids", ns));
            for (String pid : pids.split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            output(List.of("ip", "netns", "delete", ns));
        }
    }

    /** The namespaces named with this prefix ({@code ip netns list}). */
    public static List<String> namespaces(String prefix) {
        List<String> found = new ArrayList<>();
        for (String line : output(List.of("ip", "netns", "list")).split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (name.startsWith(prefix + "-")) {
                found.add(name);
            }
        }
        return found;
    }

    @Override
    public void close() {
        sweep(prefix);
    }

    /** Runs a command and fails with its output when it fails. */
    public static void run(String... cmd) {
        Result r = exec(List.of(cmd));
        if (r.code != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + r.code + "): " + r.output.strip());
        }
    }

    /** Runs a command and returns what it printed, whatever its exit code. */
    static String output(List<String> cmd) {
        return exec(cmd).output;
    }

    private record Result(int code, String output) {
    }

    private static Result exec(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out + " (did not end within 30 s)");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd.get(0) + " (apt-get install iproute2 nftables iptables): "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
