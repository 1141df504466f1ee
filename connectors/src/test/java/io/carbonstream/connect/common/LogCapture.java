package io.carbonstream.connect.common;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures every log line (with the stack trace of its throwable) at the given levels: to prove
 * that a secret appears in none. Unit tests capture everything at ALL; the integration test keeps
 * Kafka's broker at INFO.
 */
public final class LogCapture implements AutoCloseable {
    public final List<String> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;
    private final Map<String, Level> previous = new LinkedHashMap<>();
    private final Level previousRoot;

    /** Everything, every logger, every level. */
    public LogCapture() {
        this(Level.ALL, Map.of("io.carbonstream", Level.ALL));
    }

    public LogCapture(Level root, Map<String, Level> loggers) {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        appender =
                new AbstractAppender(
                        "capture-" + System.identityHashCode(this),
                        null,
                        null,
                        true,
                        Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        StringBuilder sb =
                                new StringBuilder(
                                        event.getLevel()
                                                + " "
                                                + event.getLoggerName()
                                                + " "
                                                + event.getMessage().getFormattedMessage());
                        if (event.getThrown() != null) {
                            StringWriter sw = new StringWriter();
                            event.getThrown().printStackTrace(new PrintWriter(sw));
                            sb.append('\n').append(sw);
                        }
                        lines.add(sb.toString());
                    }
                };
        appender.start();
        previousRoot = ctx.getConfiguration().getRootLogger().getLevel();
        loggers.forEach(
                (name, level) ->
                        previous.put(
                                name, ctx.getConfiguration().getLoggerConfig(name).getLevel()));
        ctx.getConfiguration().getRootLogger().addAppender(appender, Level.ALL, null);
        Configurator.setRootLevel(root);
        loggers.forEach(Configurator::setLevel);
        ctx.updateLoggers();
    }

    public List<String> containing(String text) {
        return lines.stream().filter(l -> l.contains(text)).toList();
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().removeAppender(appender.getName());
        Configurator.setRootLevel(previousRoot);
        previous.forEach(Configurator::setLevel);
        ctx.updateLoggers();
        appender.stop();
    }
}
