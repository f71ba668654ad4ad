package dev.qsio.runtime.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

/**
 * The rules every value of a type keeps, whatever its key: no setting of this extension takes a negative number or
 * duration, a number that is not finite, a duration that is not a whole number of milliseconds above 0 (timers count
 * in milliseconds, so 0.5 ms would become a timer of 0 ms), or a boolean spelled other than true or false (the
 * framework reads any other word, "maybe" or "ture", as false). A new key of these types keeps them without anyone
 * adding a line: the values are found by walking the mapping's methods.
 * <p>
 * The rules of one key (its minimum, whether 0 means off, how it relates to another key) are its owner's.
 */
public final class Values {

    private static final Set<String> BOOLEANS = Set.of("true", "false");

    private Values() {
    }

    /**
     * Checks every value of a configuration mapping against the rules of its type.
     *
     * @param prefix the mapping's prefix, for example {@code quarkus.socketio}
     * @param type the mapping's interface
     * @param mapping the mapping itself
     * @param raw the raw value given for a key, or null: booleans are checked as written
     * @throws ConfigurationException naming the first key whose value breaks its type's rule
     */
    public static void check(String prefix, Class<?> type, Object mapping, Function<String, String> raw) {
        walk(prefix, type, mapping, raw);
    }

    private static void walk(String prefix, Class<?> type, Object group, Function<String, String> raw) {
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() != 0 || m.isDefault() || Modifier.isStatic(m.getModifiers())
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String key = key(prefix, m);
            Object value;
            try {
                value = m.invoke(group);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot read " + key, e);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
            value(key, m.getReturnType(), value, raw);
        }
    }

    private static void value(String key, Class<?> declared, Object value, Function<String, String> raw) {
        if (value instanceof Optional<?> o) {
            if (o.isPresent()) {
                value(key, o.get().getClass(), o.get(), raw);
            }
        } else if (value instanceof OptionalInt o) {
            if (o.isPresent()) {
                number(key, o.getAsInt());
            }
        } else if (value instanceof OptionalLong o) {
            if (o.isPresent()) {
                number(key, o.getAsLong());
            }
        } else if (value instanceof OptionalDouble o) {
            if (o.isPresent()) {
                number(key, o.getAsDouble());
            }
        } else if (value instanceof Duration d) {
            duration(key, d);
        } else if (value instanceof MemorySize s) {
            number(key, s.asLongValue());
        } else if (value instanceof Boolean) {
            bool(key, raw.apply(key));
        } else if (value instanceof Double d) {
            number(key, d);
        } else if (value instanceof Float f) {
            number(key, f);
        } else if (value instanceof Number n) {
            number(key, n.longValue());
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String entry = key + ".\"" + e.getKey() + "\"";
                Object v = e.getValue();
                Class<?> group = group(v);
                if (group != null) {
                    walk(entry, group, v, raw);
                } else if (v != null) {
                    value(entry, v.getClass(), v, raw);
                }
            }
        } else if (value != null && !(value instanceof Iterable<?>) && !(value instanceof CharSequence)
                && !(value instanceof Enum<?>)) {
            Class<?> group = declared.isInterface() ? declared : group(value);
            if (group != null) {
                walk(key, group, value, raw);
            }
        }
    }

    /** The mapping interface a group's implementation implements, when it is one of this extension's. */
    private static Class<?> group(Object value) {
        if (value == null) {
            return null;
        }
        for (Class<?> i : value.getClass().getInterfaces()) {
            if (i.getName().startsWith("dev.qsio.")) {
                return i;
            }
        }
        return null;
    }

    private static String key(String prefix, Method m) {
        if (m.isAnnotationPresent(WithParentName.class)) {
            return prefix;
        }
        WithName name = m.getAnnotation(WithName.class);
        return prefix + "." + (name != null ? name.value() : kebab(m.getName()));
    }

    /** {@code maxHttpBufferSize} as the key's segment {@code max-http-buffer-size}. */
    static String kebab(String name) {
        StringBuilder b = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    b.append('-');
                }
                b.append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static void duration(String key, Duration d) {
        if (d.isNegative()) {
            throw new ConfigurationException(key + " must not be a negative duration, got " + d, Set.of(key));
        }
        if (!d.isZero() && d.toMillis() < 1) {
            throw new ConfigurationException(key + " must be 0 or at least 1 ms (timers count in milliseconds), got "
                    + d, Set.of(key));
        }
    }

    private static void number(String key, long n) {
        if (n < 0) {
            throw new ConfigurationException(key + " must not be negative, got " + n, Set.of(key));
        }
    }

    private static void number(String key, double n) {
        if (Double.isNaN(n) || Double.isInfinite(n)) {
            throw new ConfigurationException(key + " must be a finite number, got " + n, Set.of(key));
        }
        if (n < 0) {
            throw new ConfigurationException(key + " must not be negative, got " + n, Set.of(key));
        }
    }

    private static void bool(String key, String written) {
        if (written != null && !BOOLEANS.contains(written.trim().toLowerCase(Locale.ROOT))) {
            throw new ConfigurationException(key + " must be true or false, got '" + written + "'", Set.of(key));
        }
    }
}
