import ClaimCore

/// Writes HTTP/1.1 responses into a connection's output buffer.
public enum HTTPResponseWriter {
    /// Appends a complete response with a JSON body (headers only with `omitBody`, for HEAD:
    /// `Content-Length` still gives the length a GET would have had). `announceKeepAlive`: the
    /// client speaks HTTP/1.0, whose connections close unless the answer says otherwise.
    /// `headerSet`: more header lines, encoded once by the server (`HTTPAnswerSlot.headerSet`).
    public static func append(
        status: Int, body: [UInt8], keepAlive: Bool, announceKeepAlive: Bool = false, extraHeaders: String = "",
        headerSet: [UInt8] = [], contentType: String = "application/json",
        omitBody: Bool = false, to out: inout [UInt8]
    ) {
        // Byte appends of literals and digits: every answer passes through here.
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status, to: &out)
        out.append(32)
        out.append(contentsOf: reason(status).utf8)
        // 204 has neither content nor a length (RFC 9110 8.6).
        if status != 204 {
            out.append(contentsOf: "\r\nContent-Type: ".utf8)
            out.append(contentsOf: contentType.utf8)
            out.append(contentsOf: "\r\nContent-Length: ".utf8)
            appendDecimal(body.count, to: &out)
        }
        if !keepAlive {
            out.append(contentsOf: "\r\nConnection: close\r\n".utf8)
        } else if announceKeepAlive {
            out.append(contentsOf: "\r\nConnection: keep-alive\r\n".utf8)
        } else {
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: extraHeaders.utf8)
        out.append(contentsOf: headerSet)
        out.append(13)
        out.append(10)
        if !omitBody { out.append(contentsOf: body) }
    }

    static func appendDecimal(_ value: Int, to out: inout [UInt8]) { DecimalDigits.append(value, to: &out) }

    public static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }
}
