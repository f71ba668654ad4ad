package dev.qsio.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

/** Grouped bar charts drawn with java.awt (headless) and written as PNG: no browser, no chart library. */
final class Charts {

    private static final int W = 1000;
    private static final int H = 520;
    private static final int LEFT = 90;
    private static final int RIGHT = 20;
    private static final int TOP = 70;
    private static final int BOTTOM = 80;
    private static final Color[] PALETTE = { new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
            new Color(0xbcbd22), new Color(0x17becf) };

    /**
     * One group of bars per category (target), one bar per series; {@code values[series][category]}, NaN for a
     * missing value.
     */
    static void bars(Path file, String title, String unit, List<String> categories, List<String> series,
            double[][] values) throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img, title, unit);
        double max = max(values);
        double step = niceStep(max / 5);
        double top = max == 0 ? 1 : Math.ceil(max / step) * step;
        if (max == 0) {
            step = 0.2;
        }
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;

        // legend, centred under the plot
        int legendW = 0;
        for (String name : series) {
            legendW += g.getFontMetrics().stringWidth(name) + 34;
        }
        int lx = LEFT + (W - LEFT - RIGHT - legendW) / 2;
        for (int s = 0; s < series.size(); s++) {
            g.setColor(PALETTE[s % PALETTE.length]);
            g.fillRect(lx, H - 30, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(series.get(s), lx + 16, H - 19);
            lx += g.getFontMetrics().stringWidth(series.get(s)) + 34;
        }

        // grid and axis labels
        Font normal = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
        g.setFont(normal);
        FontMetrics fm = g.getFontMetrics();
        for (double v = 0; v <= top + step / 2; v += step) {
            int y = TOP + plotH - (int) Math.round(v / top * plotH);
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT, y, W - RIGHT, y);
            g.setColor(Color.DARK_GRAY);
            String label = format(v);
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), y + 4);
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.5f));
        g.drawLine(LEFT, TOP + plotH, W - RIGHT, TOP + plotH);

        int groups = categories.size();
        double groupW = (double) plotW / Math.max(1, groups);
        double barW = groupW * 0.8 / Math.max(1, series.size());
        for (int c = 0; c < groups; c++) {
            double gx = LEFT + c * groupW + groupW * 0.1;
            for (int s = 0; s < series.size(); s++) {
                double v = values[s][c];
                int x = (int) Math.round(gx + s * barW);
                if (Double.isNaN(v)) {
                    g.setColor(Color.GRAY);
                    g.drawString("n/a", x + (int) (barW / 2) - fm.stringWidth("n/a") / 2, TOP + plotH - 4);
                    continue;
                }
                int h = (int) Math.round(v / top * plotH);
                g.setColor(PALETTE[s % PALETTE.length]);
                g.fillRect(x, TOP + plotH - h, (int) Math.max(1, barW - 3), h);
                g.setColor(Color.BLACK);
                g.setFont(small);
                String label = format(v);
                g.drawString(label, x + (int) (barW / 2) - g.getFontMetrics().stringWidth(label) / 2, TOP + plotH - h - 4);
                g.setFont(normal);
            }
            g.setColor(Color.BLACK);
            String name = categories.get(c);
            g.drawString(name, (int) (LEFT + c * groupW + groupW / 2 - fm.stringWidth(name) / 2.0), TOP + plotH + 20);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    /**
     * One line per series over the categories of the x axis (equally spaced), {@code values[series][category]}, NaN
     * for a missing point.
     */
    static void lines(Path file, String title, String unit, List<String> xs, List<String> series, double[][] values)
            throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img, title, unit);
        double max = max(values);
        double step = niceStep(max / 5);
        double top = max == 0 ? 1 : Math.ceil(max / step) * step;
        int plotW = W - LEFT - RIGHT - 40;
        int plotH = H - TOP - BOTTOM;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (double v = 0; v <= top + step / 2; v += step) {
            int y = TOP + plotH - (int) Math.round(v / top * plotH);
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.setColor(Color.DARK_GRAY);
            String label = format(v);
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), y + 4);
        }
        int n = xs.size();
        int[] px = new int[n];
        for (int i = 0; i < n; i++) {
            px[i] = LEFT + 20 + (n == 1 ? plotW / 2 : i * (plotW - 40) / (n - 1));
            g.setColor(Color.BLACK);
            g.drawString(xs.get(i), px[i] - fm.stringWidth(xs.get(i)) / 2, TOP + plotH + 20);
        }
        g.drawLine(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH);
        g.setStroke(new BasicStroke(2f));
        int lx = LEFT;
        for (int s = 0; s < series.size(); s++) {
            Color c = PALETTE[s % PALETTE.length];
            g.setColor(c);
            int prevX = -1;
            int prevY = -1;
            for (int i = 0; i < n; i++) {
                double v = values[s][i];
                if (Double.isNaN(v)) {
                    prevX = -1;
                    continue;
                }
                int y = TOP + plotH - (int) Math.round(v / top * plotH);
                g.fillOval(px[i] - 4, y - 4, 8, 8);
                if (prevX >= 0) {
                    g.drawLine(prevX, prevY, px[i], y);
                }
                prevX = px[i];
                prevY = y;
            }
            g.fillRect(lx, H - 30, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(series.get(s), lx + 16, H - 19);
            lx += fm.stringWidth(series.get(s)) + 34;
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    /** A white picture with the chart's title and unit line; the font left for the legend. */
    private static Graphics2D canvas(BufferedImage img, String title, String unit) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString(title, LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString(unit, LEFT, 52);
        return g;
    }

    private static double max(double[][] values) {
        double max = 0;
        for (double[] row : values) {
            for (double v : row) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        return max;
    }

    private static double niceStep(double raw) {
        if (raw <= 0) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double r = raw / mag;
        return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
    }

    static String format(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e4) {
            return trim(v / 1e3) + "k";
        }
        if (a >= 100) {
            return String.valueOf(Math.round(v));
        }
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format("%.2f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
