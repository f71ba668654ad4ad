package dev.qsio.runtime.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A socket's data that tells a {@link SocketObserver} of each change (Node's Admin UI wraps {@code socket.data} in a
 * proxy for the same purpose). Used only while an observer is registered.
 */
final class ObservedData extends ConcurrentHashMap<String, Object> {

    private final transient SocketImpl socket;
    private final transient SocketObserver observer;

    ObservedData(SocketImpl socket, SocketObserver observer, Map<String, Object> initial) {
        super(Math.max(4, initial.size()));
        super.putAll(initial);
        this.socket = socket;
        this.observer = observer;
    }

    private <T> T changed(T result) {
        observer.dataChanged(socket);
        return result;
    }

    @Override
    public Object put(String key, Object value) {
        return changed(super.put(key, value));
    }

    @Override
    public void putAll(Map<? extends String, ?> m) {
        super.putAll(m);
        changed(null);
    }

    @Override
    public Object putIfAbsent(String key, Object value) {
        return changed(super.putIfAbsent(key, value));
    }

    @Override
    public Object remove(Object key) {
        return changed(super.remove(key));
    }

    @Override
    public boolean remove(Object key, Object value) {
        return changed(super.remove(key, value));
    }

    @Override
    public Object replace(String key, Object value) {
        return changed(super.replace(key, value));
    }

    @Override
    public boolean replace(String key, Object oldValue, Object newValue) {
        return changed(super.replace(key, oldValue, newValue));
    }

    @Override
    public void clear() {
        super.clear();
        changed(null);
    }

    @Override
    public Object compute(String key, BiFunction<? super String, ? super Object, ?> f) {
        return changed(super.compute(key, f));
    }

    @Override
    public Object computeIfAbsent(String key, Function<? super String, ?> f) {
        return changed(super.computeIfAbsent(key, f));
    }

    @Override
    public Object computeIfPresent(String key, BiFunction<? super String, ? super Object, ?> f) {
        return changed(super.computeIfPresent(key, f));
    }

    @Override
    public Object merge(String key, Object value, BiFunction<? super Object, ? super Object, ?> f) {
        return changed(super.merge(key, value, f));
    }
}
