package dev.qsio.deployment;

/** Path spelling shared by the endpoints. */
final class Paths {

    private Paths() {
    }

    /** A path with a leading and a trailing slash, as the engine matches it. */
    static String normalize(String path) {
        String p = path.trim();
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        if (!p.endsWith("/")) {
            p = p + "/";
        }
        return p;
    }
}
