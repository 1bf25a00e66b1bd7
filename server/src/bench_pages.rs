//! `portal bench-pages`: how fast the portal serves pages on kept-alive connections, as it
//! does behind a reverse proxy. The portal runs here on a free loopback port with the demo
//! hospital; a load generator in this process keeps its connections open and asks for
//! `/sign-in`, a signed-in patient's `/access-log`, and — the yardstick — the FHIR
//! `metadata` answer (a small fixed document, no database). Prints answers per second and
//! latencies; the goals are a page rate of at least 30 % of the yardstick's, and a p99
//! of at most 5 ms for one request at a time.

use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufStream};
use tokio::net::TcpStream;

/// What to measure with.
#[derive(Clone, Debug)]
pub struct PageBenchOptions {
    /// Connections kept open at once in the throughput run.
    pub connections: usize,
    /// Length of each throughput run.
    pub seconds: u64,
    /// Requests, one at a time on one connection, for the latency run.
    pub samples: usize,
}

/// One address to ask for, and how.
pub(crate) struct Target {
    name: &'static str,
    request: Vec<u8>,
}

impl Target {
    pub(crate) fn new(name: &'static str, addr: &str, path: &str, cookie: Option<&str>) -> Target {
        let cookie = cookie
            .map(|value| format!("Cookie: {value}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html,application/json\r\n\
             Accept-Language: zh-CN\r\n{cookie}\r\n"
        );
        Target {
            name,
            request: request.into_bytes(),
        }
    }
}

/// Sends one request on a kept-alive connection and reads the whole answer; its status.
pub(crate) async fn ask(
    connection: &mut BufStream<TcpStream>,
    request: &[u8],
) -> std::io::Result<u16> {
    use std::io::{Error, ErrorKind};
    connection.write_all(request).await?;
    connection.flush().await?;
    let mut line = String::new();
    connection.read_line(&mut line).await?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| Error::new(ErrorKind::InvalidData, format!("status line {line:?}")))?;
    let (mut length, mut chunked) = (0_u64, false);
    loop {
        line.clear();
        if connection.read_line(&mut line).await? == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.trim().eq_ignore_ascii_case("chunked");
            }
        }
    }
    if !chunked {
        skip(connection, length).await?;
        return Ok(status);
    }
    loop {
        line.clear();
        connection.read_line(&mut line).await?;
        let size = u64::from_str_radix(line.trim(), 16)
            .map_err(|_| Error::new(ErrorKind::InvalidData, "chunk size"))?;
        // The chunk and its line end (after the last chunk: the empty trailer's).
        skip(connection, size + 2).await?;
        if size == 0 {
            return Ok(status);
        }
    }
}

async fn skip(connection: &mut BufStream<TcpStream>, bytes: u64) -> std::io::Result<()> {
    let copied = tokio::io::copy(&mut connection.take(bytes), &mut tokio::io::sink()).await?;
    if copied == bytes {
        Ok(())
    } else {
        Err(std::io::ErrorKind::UnexpectedEof.into())
    }
}

async fn connect(addr: std::net::SocketAddr) -> Result<BufStream<TcpStream>, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("cannot connect to the portal: {e}"))?;
    stream
        .set_nodelay(true)
        .map_err(|e| format!("TCP_NODELAY: {e}"))?;
    Ok(BufStream::new(stream))
}

/// Latencies of one run, and how many answers per second it got.
pub(crate) struct Figures {
    pub(crate) rate: f64,
    pub(crate) p50: Duration,
    pub(crate) p99: Duration,
}

fn figures(mut times: Vec<Duration>, elapsed: Duration) -> Figures {
    times.sort_unstable();
    let at = |share: usize| {
        times
            .get((times.len() * share / 100).min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    #[allow(clippy::cast_precision_loss)] // Request counts are far below 2^52.
    let rate = times.len() as f64 / elapsed.as_secs_f64().max(f64::EPSILON);
    Figures {
        rate,
        p50: at(50),
        p99: at(99),
    }
}

/// `samples` requests one after another on one connection, taking `targets` in turn;
/// every answer must be 200.
pub(crate) async fn one_at_a_time(
    addr: std::net::SocketAddr,
    targets: &[Target],
    samples: usize,
) -> Result<Figures, String> {
    let mut connection = connect(addr).await?;
    let mut times = Vec::with_capacity(samples);
    let started = Instant::now();
    for target in targets.iter().cycle().take(samples) {
        let asked = Instant::now();
        let status = ask(&mut connection, &target.request)
            .await
            .map_err(|e| format!("{}: {e}", target.name))?;
        if status != 200 {
            return Err(format!("{}: answered {status}", target.name));
        }
        times.push(asked.elapsed());
    }
    Ok(figures(times, started.elapsed()))
}

/// `connections` connections asking as fast as answers come, for `seconds`.
async fn under_load(
    addr: std::net::SocketAddr,
    target: &Target,
    connections: usize,
    seconds: u64,
) -> Result<Figures, String> {
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut workers = Vec::with_capacity(connections);
    for _ in 0..connections {
        let mut connection = connect(addr).await?;
        let request = target.request.clone();
        let name = target.name;
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while Instant::now() < until {
                let asked = Instant::now();
                match ask(&mut connection, &request).await {
                    Ok(200) => times.push(asked.elapsed()),
                    Ok(status) => return Err(format!("{name}: answered {status}")),
                    Err(e) => return Err(format!("{name}: {e}")),
                }
            }
            Ok(times)
        }));
    }
    let mut times = Vec::new();
    for worker in workers {
        times.extend(
            worker
                .await
                .map_err(|e| format!("load generator stopped: {e}"))??,
        );
    }
    Ok(figures(times, started.elapsed()))
}

pub(crate) fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// Measures the portal listening on `addr`; `patient_cookie` signs in a demo patient.
pub async fn run(
    addr: std::net::SocketAddr,
    patient_cookie: &str,
    options: &PageBenchOptions,
    say: &impl Fn(&str),
) -> Result<(), String> {
    let host = addr.to_string();
    let targets = [
        Target::new(
            "FHIR metadata (yardstick)",
            &host,
            "/fhir/r4/metadata",
            None,
        ),
        Target::new("/sign-in", &host, "/sign-in", None),
        Target::new(
            "/access-log, signed in",
            &host,
            "/access-log",
            Some(patient_cookie),
        ),
    ];
    say(&format!(
        "pages on kept-alive connections: {} requests one at a time, then {} connections for {} s each",
        options.samples, options.connections, options.seconds
    ));
    let mut yardstick = None;
    let mut met = true;
    for target in &targets {
        // Warm up: the first answers fill caches and the connection pool.
        one_at_a_time(addr, std::slice::from_ref(target), 50).await?;
        let single = one_at_a_time(addr, std::slice::from_ref(target), options.samples).await?;
        let loaded = under_load(addr, target, options.connections, options.seconds).await?;
        let share = yardstick.map(|base: f64| loaded.rate / base * 100.0);
        say(&format!(
            "  {:<28} one at a time: p50 {}, p99 {} | {} connections: {:>7.0} answers/s, p50 {}, p99 {}{}",
            target.name,
            millis(single.p50),
            millis(single.p99),
            options.connections,
            loaded.rate,
            millis(loaded.p50),
            millis(loaded.p99),
            share.map(|s| format!(" ({s:.0} % of the yardstick)")).unwrap_or_default(),
        ));
        match share {
            None => yardstick = Some(loaded.rate),
            Some(share) => {
                let rate_ok = share >= 30.0;
                let p99_ok = single.p99 <= Duration::from_millis(5);
                met &= rate_ok && p99_ok;
                say(&format!(
                    "  {:<28} goals: rate ≥ 30 % of the yardstick: {}; p99 ≤ 5 ms one at a time: {}",
                    "",
                    if rate_ok { "met" } else { "NOT met" },
                    if p99_ok { "met" } else { "NOT met" },
                ));
            }
        }
    }
    say(if met {
        "page-serving goals met"
    } else {
        "page-serving goals NOT met (figures above)"
    });
    Ok(())
}
