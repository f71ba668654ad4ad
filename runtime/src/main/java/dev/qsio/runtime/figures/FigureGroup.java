package dev.qsio.runtime.figures;

import java.util.List;
import java.util.Map;

/**
 * A group of figures that a layer above the cluster counts in a server (the Admin UI's logins, for example), added to
 * that server's figures: a worker sends it to its primary with the others, the cluster endpoint shows it under
 * {@link #group()}, and the metrics publish each figure's meter per worker. A bean: the cluster and the metrics find
 * every group without depending on the layers that count them.
 */
public interface FigureGroup {

    /** The group's key in the figures' JSON. */
    String group();

    /** Its figures; none when the layer is off in this application (then nothing is published). */
    List<? extends Figure> figures();

    /** The figures' values in this process now, by key. */
    Map<String, Long> values();
}
