//! Connections that open a widget's event stream, served beside hyper.
//!
//! An open widget holds one connection for as long as its page is open,
//! and a server holds thousands of them. Hyper keeps a read and a write
//! buffer per connection (8 KiB each, its minimum), which made an idle
//! stream cost more than the hub's whole state for it. So the listener
//! looks at each new connection's first request without taking it off the
//! socket: a request that opens a widget's stream is answered here, through
//! the same router (the same handler, checks and response), and its body is
//! written straight to the socket, with nothing but the response's own
//! state held per connection; every other connection goes to hyper as it
//! came. The stream's connection closes when the stream ends (its body is
//! delimited by the close), so it never returns to keep-alive.
//!
//! A stream requested on a connection hyper already serves (a browser may
//! reuse one for it) is still served by hyper, only less leanly.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderName, HeaderValue, Method, Request, Response};
use axum::Router;
use http_body_util::BodyExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::widget::STREAM_PATH;

/// The most a stream request's head may hold; a longer one goes to hyper.
const MAX_HEAD: usize = 8 * 1024;

/// How long a connection may take to send a stream request's whole head
/// once its first bytes came.
const HEAD_PATIENCE: Duration = Duration::from_secs(5);

/// Connections for hyper, after the stream requests were taken out.
pub struct Listener {
    for_hyper: mpsc::Receiver<(TcpStream, SocketAddr)>,
    local: SocketAddr,
    sorting: JoinHandle<()>,
}

impl Listener {
    /// Accepts on `listener`; stream requests go to `router` directly.
    pub fn new(listener: TcpListener, router: Router) -> io::Result<Listener> {
        let local = listener.local_addr()?;
        let (to_hyper, for_hyper) = mpsc::channel(256);
        let sorting = tokio::spawn(sort_connections(listener, router, to_hyper));
        Ok(Listener {
            for_hyper,
            local,
            sorting,
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Stop accepting (and free the port) once the server stops.
        self.sorting.abort();
    }
}

impl axum::serve::Listener for Listener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        match self.for_hyper.recv().await {
            Some(connection) => connection,
            // The sorter only stops when this listener drops.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }
}

async fn sort_connections(
    listener: TcpListener,
    router: Router,
    to_hyper: mpsc::Sender<(TcpStream, SocketAddr)>,
) {
    loop {
        let (socket, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // As hyper does: out of descriptors is worth a pause.
                tracing::warn!(error = %e, "could not accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = socket.set_nodelay(true);
        let router = router.clone();
        let to_hyper = to_hyper.clone();
        tokio::spawn(async move {
            let mut socket = socket;
            match stream_request(&mut socket, peer).await {
                Some(request) => serve_stream(socket, request, router).await,
                None => {
                    let _ = to_hyper.send((socket, peer)).await;
                }
            }
        });
    }
}

/// The connection's first request, read off the socket, when it opens a
/// widget's stream; `None` (and nothing read) for anything else.
async fn stream_request(socket: &mut TcpStream, peer: SocketAddr) -> Option<Request<Body>> {
    // A connection may be opened well before its first request (a
    // browser's preconnect): nothing is held for it until bytes come.
    socket.readable().await.ok()?;
    let mut head = vec![0u8; MAX_HEAD];
    let started = tokio::time::Instant::now();
    loop {
        let seen = socket.peek(&mut head).await.ok()?;
        if seen == 0 {
            return None;
        }
        match parse_head(&head[..seen], peer) {
            Parsed::Stream(request, length) => {
                // Peeked, so these bytes are there to take.
                socket.read_exact(&mut head[..length]).await.ok()?;
                return Some(*request);
            }
            Parsed::Other => return None,
            Parsed::Incomplete if seen < MAX_HEAD && started.elapsed() < HEAD_PATIENCE => {
                // Peeking again at once would see the same bytes.
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Parsed::Incomplete => return None,
        }
    }
}

enum Parsed {
    /// A stream request, and its head's length.
    Stream(Box<Request<Body>>, usize),
    Other,
    Incomplete,
}

fn parse_head(bytes: &[u8], peer: SocketAddr) -> Parsed {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut parsed = httparse::Request::new(&mut headers);
    let status = parsed.parse(bytes);
    let (Some(method), Some(path)) = (parsed.method, parsed.path) else {
        return match status {
            Ok(httparse::Status::Partial) => Parsed::Incomplete,
            _ => Parsed::Other,
        };
    };
    if method != "GET" || !opens_widget_stream(path) || parsed.version != Some(1) {
        return Parsed::Other;
    }
    let length = match status {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Parsed::Incomplete,
        Err(_) => return Parsed::Other,
    };
    let Ok(mut request) = Request::builder()
        .method(Method::GET)
        .uri(path)
        .body(Body::empty())
    else {
        return Parsed::Other;
    };
    for h in parsed.headers.iter() {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(h.name.as_bytes()),
            HeaderValue::from_bytes(h.value),
        ) else {
            return Parsed::Other;
        };
        request.headers_mut().append(name, value);
    }
    request.extensions_mut().insert(ConnectInfo(peer));
    Parsed::Stream(Box::new(request), length)
}

/// Whether `target` (a path, with or without a query) is the widget
/// stream's route: each `{…}` of the route one non-empty segment.
fn opens_widget_stream(target: &str) -> bool {
    let path = target.split('?').next().unwrap_or_default();
    let (mut route, mut given) = (STREAM_PATH.split('/'), path.split('/'));
    loop {
        match (route.next(), given.next()) {
            (None, None) => return true,
            (Some(r), Some(g)) if r.starts_with('{') && !g.is_empty() => {}
            (Some(r), Some(g)) if r == g => {}
            _ => return false,
        }
    }
}

async fn serve_stream(mut socket: TcpStream, request: Request<Body>, router: Router) {
    let Ok(response) = router.oneshot(request).await;
    let (parts, body) = response.into_parts();
    let head = response_head(&Response::from_parts(parts, ()), body.size_hint().exact());
    if socket.write_all(&head).await.is_err() {
        return;
    }
    pump(&mut socket, body).await;
    let _ = socket.shutdown().await;
}

/// The status line and headers; a body of unknown length is delimited by
/// the connection's close.
fn response_head(response: &Response<()>, length: Option<u64>) -> Vec<u8> {
    let status = response.status();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_str(),
        status.canonical_reason().unwrap_or("")
    )
    .into_bytes();
    for (name, value) in response.headers() {
        if name == header::CONNECTION
            || name == header::CONTENT_LENGTH
            || name == header::TRANSFER_ENCODING
        {
            continue;
        }
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    if let Some(length) = length {
        head.extend_from_slice(format!("content-length: {length}\r\n").as_bytes());
    }
    head.extend_from_slice(b"connection: close\r\n\r\n");
    head
}

/// Writes the body as it comes until it ends or the client goes away.
async fn pump(socket: &mut TcpStream, mut body: Body) {
    let (mut reader, mut writer) = socket.split();
    // A client sends nothing more on a stream's connection: what it does
    // send is dropped, and its close ends the stream.
    let mut scrap = [0u8; 64];
    loop {
        tokio::select! {
            frame = body.frame() => match frame {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        if writer.write_all(&data).await.is_err() {
                            return;
                        }
                    }
                }
                _ => return,
            },
            read = reader.read(&mut scrap) => match read {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_widgets_event_stream_is_taken() {
        assert!(opens_widget_stream(
            "/widget/v1/abc/conversations/12/events"
        ));
        assert!(opens_widget_stream(
            "/widget/v1/abc/conversations/12/events?visitor=x&after=3"
        ));
        assert!(!opens_widget_stream("/widget/v1/abc/conversation"));
        assert!(!opens_widget_stream("/widget/v1//conversations/12/events"));
        assert!(!opens_widget_stream(
            "/widget/v1/abc/conversations/12/events/more"
        ));
        assert!(!opens_widget_stream(
            "/api/widget/v1/abc/conversations/1/events"
        ));
    }

    #[test]
    fn a_head_is_taken_only_when_whole() {
        let peer: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let head = b"GET /widget/v1/k/conversations/1/events?visitor=v HTTP/1.1\r\nHost: h\r\nLast-Event-ID: 7\r\n\r\n";
        match parse_head(head, peer) {
            Parsed::Stream(request, length) => {
                assert_eq!(length, head.len());
                assert_eq!(request.headers()["last-event-id"], "7");
                assert_eq!(request.uri().query(), Some("visitor=v"));
            }
            _ => panic!("a whole stream request is taken"),
        }
        assert!(matches!(parse_head(&head[..40], peer), Parsed::Incomplete));
        assert!(matches!(
            parse_head(
                b"POST /widget/v1/k/conversations/1/events HTTP/1.1\r\n\r\n",
                peer
            ),
            Parsed::Other
        ));
        assert!(matches!(
            parse_head(b"GET /contacts HTTP/1.1\r\n", peer),
            Parsed::Other
        ));
    }
}
