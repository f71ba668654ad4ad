package dev.qsio.runtime.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.Config;

/**
 * Quarkus' HTTP permissions ({@code quarkus.http.auth.permission.<name>.paths} and {@code .policy}) that cover an
 * engine path: what the HTTP server checks on every request of the path, and what a WebTransport session, which
 * reaches the HTTP/3 listener and not the HTTP server, passes by unchecked ({@link WebTransportTransport} warns of
 * them at startup).
 */
final class HttpPermissions {

    private static final String PREFIX = "quarkus.http.auth.permission.";

    private HttpPermissions() {
    }

    /**
     * The permissions that would check a request of one of {@code enginePaths} (other than those that permit it), each
     * said as {@code quarkus.http.auth.permission.<name> (policy <policy>, paths <paths>)}, sorted.
     */
    static List<String> covering(Config config, Collection<String> enginePaths) {
        TreeSet<String> names = new TreeSet<>();
        for (String key : config.getPropertyNames()) {
            if (key.startsWith(PREFIX) && key.endsWith(".paths")) {
                names.add(key.substring(PREFIX.length(), key.length() - ".paths".length()));
            }
        }
        List<String> found = new ArrayList<>();
        for (String name : names) {
            String at = PREFIX + name;
            if (!config.getOptionalValue(at + ".enabled", Boolean.class).orElse(true)) {
                continue;
            }
            String policy = config.getOptionalValue(at + ".policy", String.class).orElse("").trim();
            if (policy.toLowerCase(Locale.ROOT).equals("permit")) {
                continue;
            }
            String paths = config.getOptionalValue(at + ".paths", String.class).orElse("");
            boolean covers = false;
            for (String pattern : paths.split(",")) {
                for (String path : enginePaths) {
                    covers |= matches(pattern.trim(), path);
                }
            }
            if (covers) {
                found.add(at + " (policy " + (policy.isEmpty() ? "unset" : policy) + ", paths " + paths + ")");
            }
        }
        return found;
    }

    /**
     * Whether a permission's path pattern takes a request of the engine path (given with or without its trailing
     * slash; the engine's requests end with the slash or with a query after it): the pattern's exact path, a prefix
     * ending with {@code /*} (or {@code *} alone), a {@code *} standing for one segment.
     */
    static boolean matches(String pattern, String enginePath) {
        if (pattern.isEmpty()) {
            return false;
        }
        if (pattern.equals("*") || pattern.equals("/*")) {
            return true;
        }
        String trimmed = enginePath.length() > 1 && enginePath.endsWith("/")
                ? enginePath.substring(0, enginePath.length() - 1)
                : enginePath;
        StringBuilder regex = new StringBuilder();
        String body = pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 2) : pattern;
        for (String part : body.split("(?<=/)|(?=/)")) {
            regex.append(part.equals("*") ? "[^/]+" : Pattern.quote(part));
        }
        // a prefix covers its own path and everything under it; an exact path, itself with or without its slash
        regex.append(pattern.endsWith("/*") ? "(/.*)?" : "/?");
        Pattern p = Pattern.compile(regex.toString());
        return p.matcher(trimmed).matches() || p.matcher(trimmed + "/").matches();
    }
}
