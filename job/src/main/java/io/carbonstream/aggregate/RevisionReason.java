package io.carbonstream.aggregate;

import java.util.StringJoiner;

/**
 * Why a window is emitted again: bits of a mask carried by pane deltas and collected per window. A
 * revision after the first names every reason among the changes it includes.
 */
public final class RevisionReason {

    /** A pane's first emission (on time). */
    public static final int NONE = 0;

    /**
     * Requests behind the watermark, within the allowed lateness (or a request that waited for its
     * registry entry).
     */
    public static final int LATE_REQUEST = 1;

    /** An intensity value that arrived after requests it covers were priced. */
    public static final int INTENSITY_RESTATEMENT = 2;

    /** A registry version that arrived after requests it covers were priced. */
    public static final int REGISTRY_CHANGE = 4;

    private RevisionReason() {}

    /** The text of a revision: FIRST_EMISSION for revision 1, else the reasons joined by '+'. */
    public static String text(int revision, int mask) {
        if (revision == 1) return "FIRST_EMISSION";
        StringJoiner j = new StringJoiner("+");
        if ((mask & LATE_REQUEST) != 0) j.add("LATE_REQUEST");
        if ((mask & INTENSITY_RESTATEMENT) != 0) j.add("INTENSITY_RESTATEMENT");
        if ((mask & REGISTRY_CHANGE) != 0) j.add("REGISTRY_CHANGE");
        return j.length() == 0 ? "LATE_REQUEST" : j.toString();
    }
}
