package io.carbonstream.aggregate;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;

/**
 * The watermark a function had reached at its last checkpoint, brought back after a restore.
 *
 * <p>Why: Flink does not checkpoint watermarks; after a restore every operator starts at
 * Long.MIN_VALUE until the sources' first watermark arrives. Records replayed in that gap would
 * look on time: a request already beyond the allowed lateness would be aggregated into a window
 * whose final revision is out (re-emitting it as a new first revision with a partial total), and a
 * correction within the lateness would update a pane without re-emitting its windows. Deciding with
 * max(current, restored) makes the replay take the same branches as the first run.
 *
 * <p>Kept as operator union state: after rescaling, every subtask takes the minimum over the old
 * subtasks (they differ by at most the in-flight watermark steps), the conservative choice.
 */
final class CheckpointedWatermark {

    private final ListState<Long> state;
    private long restored = Long.MIN_VALUE;
    private long seen = Long.MIN_VALUE;

    private CheckpointedWatermark(ListState<Long> state) {
        this.state = state;
    }

    /** From a function's CheckpointedFunction#initializeState. */
    static CheckpointedWatermark restore(FunctionInitializationContext ctx) throws Exception {
        CheckpointedWatermark w =
                new CheckpointedWatermark(
                        ctx.getOperatorStateStore()
                                .getUnionListState(
                                        new ListStateDescriptor<>(
                                                "checkpointed-watermark", Types.LONG)));
        if (ctx.isRestored()) {
            long min = Long.MAX_VALUE;
            for (Long v : w.state.get()) min = Math.min(min, v);
            if (min != Long.MAX_VALUE) w.restored = min;
            w.seen = w.restored;
        }
        return w;
    }

    void snapshot() throws Exception {
        state.update(java.util.List.of(seen));
    }

    /** Notes the operator's current watermark (what the next checkpoint keeps). */
    void observe(long current) {
        if (current > seen) seen = current;
    }

    /**
     * The watermark to decide with: the operator's current one, or the restored one while it is
     * behind.
     */
    long effective(long current) {
        observe(current);
        return Math.max(current, restored);
    }
}
