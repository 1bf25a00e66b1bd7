//! A real SMTP listener on a random port that keeps what it receives, and can be told to
//! fail temporarily (4xx at DATA) or permanently (5xx at RCPT).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as received: envelope and raw data.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

/// The listener's shared state.
#[derive(Clone, Default)]
pub struct SmtpServer {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    /// How many more DATA commands to answer with `451` before accepting.
    temporary_failures: Arc<AtomicUsize>,
    /// Whether RCPT is refused with `550`.
    reject_recipients: Arc<Mutex<bool>>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let server = SmtpServer {
            port: listener.local_addr().expect("addr").port(),
            ..SmtpServer::default()
        };
        let shared = server.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let _ = shared.session(socket).await;
                });
            }
        });
        server
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    pub fn fail_next_data(&self, times: usize) {
        self.temporary_failures.store(times, Ordering::SeqCst);
    }

    pub fn reject_recipients(&self, reject: bool) {
        *self.reject_recipients.lock().expect("lock") = reject;
    }

    async fn session(&self, socket: tokio::net::TcpStream) -> std::io::Result<()> {
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read);
        write.write_all(b"220 test-smtp ESMTP ready\r\n").await?;
        let mut from = String::new();
        let mut to = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_owned();
            let verb = command
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            match verb.as_str() {
                "EHLO" => {
                    write
                        .write_all(b"250-test-smtp\r\n250 8BITMIME\r\n")
                        .await?;
                }
                "HELO" | "NOOP" => write.write_all(b"250 ok\r\n").await?,
                "RSET" => {
                    from.clear();
                    to.clear();
                    write.write_all(b"250 ok\r\n").await?;
                }
                "MAIL" => {
                    from = command[4..].trim().to_owned();
                    write.write_all(b"250 ok\r\n").await?;
                }
                "RCPT" => {
                    if *self.reject_recipients.lock().expect("lock") {
                        write.write_all(b"550 no such user\r\n").await?;
                    } else {
                        to.push(command[4..].trim().to_owned());
                        write.write_all(b"250 ok\r\n").await?;
                    }
                }
                "DATA" => {
                    write.write_all(b"354 go ahead\r\n").await?;
                    let mut data = String::new();
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await? == 0 {
                            return Ok(());
                        }
                        if line == ".\r\n" {
                            break;
                        }
                        // Undo dot-stuffing.
                        data.push_str(line.strip_prefix('.').unwrap_or(&line));
                    }
                    let fail = self
                        .temporary_failures
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    if fail {
                        write.write_all(b"451 try again later\r\n").await?;
                    } else {
                        self.received.lock().expect("lock").push(Received {
                            from: from.clone(),
                            to: to.clone(),
                            data,
                        });
                        write.write_all(b"250 queued\r\n").await?;
                    }
                    from.clear();
                    to.clear();
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await?;
                    return Ok(());
                }
                _ => write.write_all(b"502 not implemented\r\n").await?,
            }
        }
    }
}
