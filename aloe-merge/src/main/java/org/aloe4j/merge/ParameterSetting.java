package org.aloe4j.merge;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The value of one merge parameter as mergekit's configuration allows it ({@code mergekit/config.py},
 * {@code evaluate_setting}): a scalar (number or boolean); a gradient (a list of numbers interpolated linearly over
 * the layers, {@code t} = layer / (layers - 1)); or a list of conditional values {@code {filter, value}} where the
 * first entry whose filter is a substring of the tensor name (or that has no filter, or filter {@code *}) applies.
 */
public sealed interface ParameterSetting {

    /**
     * The value for tensor {@code tensorName} at layer position {@code t} in [0, 1]: a {@link Double} or a
     * {@link Boolean}, or null when no conditional entry matches (the lookup then falls back to the next level).
     */
    Object evaluate(String tensorName, double t);

    /** A fixed number or boolean. */
    record Scalar(Object value) implements ParameterSetting {
        @Override
        public Object evaluate(String tensorName, double t) {
            return value;
        }
    }

    /** Numbers spread over the layers. */
    record Gradient(List<Double> values) implements ParameterSetting {
        public Gradient {
            values = List.copyOf(values);
        }

        @Override
        public Object evaluate(String tensorName, double t) {
            double scaled = t * (values.size() - 1);
            int i0 = (int) scaled;
            int i1 = Math.min(values.size() - 1, i0 + 1);
            double frac = scaled - i0;
            return (1 - frac) * values.get(i0) + frac * values.get(i1);
        }
    }

    /** One entry of a conditional list. */
    record Condition(String filter, ParameterSetting value) {}

    /** Values chosen by tensor name. */
    record Conditional(List<Condition> conditions) implements ParameterSetting {
        public Conditional {
            conditions = List.copyOf(conditions);
        }

        @Override
        public Object evaluate(String tensorName, double t) {
            for (Condition c : conditions) {
                if (c.filter() == null || c.filter().equals("*") || (tensorName != null && tensorName.contains(c.filter()))) {
                    return c.value().evaluate(tensorName, t);
                }
            }
            return null;
        }
    }

    /** Parses the YAML value of parameter {@code what} (used in error messages). */
    static ParameterSetting parse(JsonNode node, String what) {
        if (node.isNumber()) {
            return new Scalar(node.doubleValue());
        }
        if (node.isBoolean()) {
            return new Scalar(node.booleanValue());
        }
        if (node.isArray() && !node.isEmpty()) {
            boolean allNumbers = true;
            boolean allObjects = true;
            for (JsonNode e : node) {
                allNumbers &= e.isNumber();
                allObjects &= e.isObject();
            }
            if (allNumbers) {
                List<Double> values = new ArrayList<>();
                node.forEach(e -> values.add(e.doubleValue()));
                return new Gradient(values);
            }
            if (allObjects) {
                List<Condition> conditions = new ArrayList<>();
                for (JsonNode e : node) {
                    JsonNode value = e.get("value");
                    if (value == null) {
                        throw new MergeException(what + ": a conditional entry has no 'value'");
                    }
                    for (Map.Entry<String, JsonNode> f : e.properties()) {
                        if (!f.getKey().equals("value") && !f.getKey().equals("filter")) {
                            throw new MergeException(what + ": unknown key '" + f.getKey() + "' in a conditional entry");
                        }
                    }
                    JsonNode filter = e.get("filter");
                    if (filter != null && !filter.isNull() && !filter.isTextual()) {
                        throw new MergeException(what + ": 'filter' must be a string");
                    }
                    ParameterSetting inner = parse(value, what);
                    if (inner instanceof Conditional) {
                        throw new MergeException(what + ": a conditional 'value' must be a number, boolean or list of numbers");
                    }
                    conditions.add(new Condition(filter == null || filter.isNull() ? null : filter.textValue(), inner));
                }
                return new Conditional(conditions);
            }
        }
        throw new MergeException(what + ": expected a number, a boolean, a list of numbers or a list of "
                + "{filter, value} entries, got " + (node.isTextual() ? "'" + node.textValue() + "'" : node.toString()));
    }
}
