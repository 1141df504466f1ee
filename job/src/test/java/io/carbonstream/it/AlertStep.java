package io.carbonstream.it;

import io.carbonstream.schema.Alert;
import io.carbonstream.schema.AlertState;

/** One step of an alert's life as the alert tests compare them: its id, raised or cleared, when. */
record AlertStep(String id, boolean raised, long at) {

    static AlertStep of(Alert a) {
        return new AlertStep(
                a.getAlertId(), a.getState() == AlertState.RAISED, a.getEventTime().toEpochMilli());
    }
}
