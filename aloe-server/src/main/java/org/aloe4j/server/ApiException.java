package org.aloe4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the server refuses, with what OpenAI's API answers in that case: an HTTP status and the error object
 * {@code {"error":{"message","type","param","code"}}}. Thrown anywhere in the request pipeline; the server turns it
 * into the response and goes on serving.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public ApiException(int status, String type, String message, String param, String code) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: a parameter is missing, of the wrong type, or out of range. */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", message, param, null);
    }

    /** 400 with a machine-readable code (e.g. {@code context_length_exceeded}). */
    public static ApiException invalid(String param, String message, String code) {
        return new ApiException(400, "invalid_request_error", message, param, code);
    }

    public static ApiException unsupported(String param, String message) {
        return new ApiException(400, "invalid_request_error", message, param, "unsupported_parameter");
    }

    public static ApiException modelNotFound(String model) {
        return new ApiException(404, "invalid_request_error", "The model `" + model
                + "` does not exist or you do not have access to it.", "model", "model_not_found");
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "invalid_request_error", message, null, "invalid_api_key");
    }

    public static ApiException tooLarge(long limit) {
        return new ApiException(413, "invalid_request_error", "The request body is larger than this server's limit of "
                + limit + " bytes.", null, "request_too_large");
    }

    public static ApiException queueFull(int queued) {
        return new ApiException(429, "rate_limit_error", "The server is busy: all generation slots are taken and "
                + queued + " sequences are already waiting. Retry later.", null, "queue_full");
    }

    public static ApiException notFound(String method, String path) {
        return new ApiException(404, "invalid_request_error", "Unknown request URL: " + method + " " + path + ".",
                null, "unknown_url");
    }

    public static ApiException server(String message) {
        return new ApiException(500, "server_error", message, null, null);
    }

    public static ApiException unavailable(String message) {
        return new ApiException(503, "server_error", message, null, "service_unavailable");
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** The OpenAI error body. */
    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", getMessage());
        e.put("type", type);
        if (param == null) {
            e.putNull("param");
        } else {
            e.put("param", param);
        }
        if (code == null) {
            e.putNull("code");
        } else {
            e.put("code", code);
        }
        return root;
    }
}
