import NIOCore

/// Lets an HTTP/1.1 server take Vault's `LIST` method, which SwiftNIO's HTTP parser
/// refuses as an unknown method: a request whose line starts with `LIST ` is passed on as
/// `GET` with `list=true` added to its query, which Vault itself treats as the same
/// request (`GET …?list=true`).
///
/// It sits before the HTTP decoder and follows the byte stream request by request: the
/// head up to its blank line (rewritten when it is a `LIST`), then `Content-Length` bytes
/// of body untouched. A head longer than ``maximumHeadBytes`` or a chunked body ends the
/// rewriting for the rest of that connection (bytes pass through as they came, and the
/// decoder decides), so a hostile client gains nothing: at most one head is buffered.
final class ListMethodRewriter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Longest request head looked at (request line and headers).
    static let maximumHeadBytes = 64 * 1024

    enum State {
        /// Collecting a request head.
        case head(ByteBuffer?)
        /// Passing on this many more bytes of body.
        case body(Int)
        /// No longer following the stream.
        case passThrough
    }

    private var state = State.head(nil)

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var input = unwrapInboundIn(data)
        while input.readableBytes > 0 {
            switch state {
            case .passThrough:
                context.fireChannelRead(wrapInboundOut(input))
                return
            case .body(let remaining):
                let count = min(remaining, input.readableBytes)
                if let slice = input.readSlice(length: count) { context.fireChannelRead(wrapInboundOut(slice)) }
                state = remaining - count == 0 ? .head(nil) : .body(remaining - count)
            case .head(let held):
                var pending = held ?? context.channel.allocator.buffer(capacity: min(input.readableBytes, 4096))
                pending.writeBuffer(&input)
                guard let end = Self.endOfHead(in: pending), var head = pending.readSlice(length: end) else {
                    if pending.readableBytes > Self.maximumHeadBytes {
                        state = .passThrough
                        context.fireChannelRead(wrapInboundOut(pending))
                        return
                    }
                    state = .head(pending)
                    return
                }
                // What follows the head (body, next requests) is looked at in this loop.
                input = pending
                let (bytes, next) = Self.rewrite(&head, allocator: context.channel.allocator)
                state = next
                context.fireChannelRead(wrapInboundOut(bytes))
            }
        }
    }

    /// The length of the head (through its blank line) at the start of `buffer`, if whole.
    static func endOfHead(in buffer: ByteBuffer) -> Int? {
        let bytes = buffer.readableBytesView
        var index = bytes.startIndex
        while index + 3 < bytes.endIndex {
            if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 {
                return index + 4 - bytes.startIndex
            }
            index += 1
        }
        return nil
    }

    /// `head` as the decoder should see it, and what follows it: its body's length, or
    /// pass-through when the body is chunked (or its length unreadable).
    static func rewrite(_ head: inout ByteBuffer, allocator: ByteBufferAllocator) -> (ByteBuffer, State) {
        let text = String(decoding: head.readableBytesView, as: UTF8.self)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        var contentLength = 0
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            if name == "transfer-encoding" { return (head, .passThrough) }
            if name == "content-length" {
                guard let length = Int(value), length >= 0 else { return (head, .passThrough) }
                contentLength = length
            }
        }
        let next: State = contentLength > 0 ? .body(contentLength) : .head(nil)
        guard let requestLine = lines.first, requestLine.hasPrefix("LIST ") else { return (head, next) }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return (head, next) }
        let target = parts[1].contains("?") ? "\(parts[1])&list=true" : "\(parts[1])?list=true"
        var rewritten = allocator.buffer(capacity: head.readableBytes + 16)
        rewritten.writeString("GET \(target) \(parts[2])")
        head.moveReaderIndex(forwardBy: requestLine.utf8.count)
        rewritten.writeBuffer(&head)
        return (rewritten, next)
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in characters: String) -> Substring {
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice.removeFirst() }
        while let last = slice.last, characters.contains(last) { slice.removeLast() }
        return slice
    }
}
