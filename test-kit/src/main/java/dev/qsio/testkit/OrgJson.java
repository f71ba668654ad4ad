package dev.qsio.testkit;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Between the official Java client's values (org.json trees, {@code byte[]} for binary) and Jackson trees, which
 * tests bind to records and POJOs.
 */
final class OrgJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private OrgJson() {
    }

    /** A value the client received, as a Jackson tree. */
    static JsonNode toJackson(Object value) {
        if (value == null || value == JSONObject.NULL) {
            return NODES.nullNode();
        }
        if (value instanceof JSONObject object) {
            ObjectNode node = NODES.objectNode();
            for (Iterator<?> keys = object.keys(); keys.hasNext();) {
                String key = (String) keys.next();
                node.set(key, toJackson(object.opt(key)));
            }
            return node;
        }
        if (value instanceof JSONArray array) {
            ArrayNode node = NODES.arrayNode();
            for (int i = 0; i < array.length(); i++) {
                node.add(toJackson(array.opt(i)));
            }
            return node;
        }
        if (value instanceof byte[] bytes) {
            return NODES.binaryNode(bytes);
        }
        if (value instanceof String s) {
            return NODES.textNode(s);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Integer i) {
            return NODES.numberNode(i);
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Number n) {
            return NODES.numberNode(n.doubleValue());
        }
        throw new IllegalArgumentException("unexpected value from the client: " + value.getClass().getName());
    }

    /** A Jackson tree as the client sends it. */
    static Object toClient(JsonNode node) {
        try {
            return convert(node);
        } catch (JSONException | IOException e) {
            throw new IllegalArgumentException("cannot send " + node, e);
        }
    }

    private static Object convert(JsonNode node) throws JSONException, IOException {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return JSONObject.NULL;
        }
        if (node.isObject()) {
            JSONObject object = new JSONObject();
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                object.put(field.getKey(), convert(field.getValue()));
            }
            return object;
        }
        if (node.isArray()) {
            JSONArray array = new JSONArray();
            for (JsonNode element : node) {
                array.put(convert(element));
            }
            return array;
        }
        if (node.isBinary()) {
            return node.binaryValue();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isInt()) {
            return node.intValue();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        throw new IllegalArgumentException("cannot send " + node.getNodeType() + " " + node);
    }
}
