//! `portal bench` (the access log) and `portal bench-pages` (pages on kept-alive
//! connections): measurements that print figures.

use app::accounts::server::query::by_reference as find_by_reference;
use app::ssr::clock::SharedClock;
use sea_orm::ConnectionTrait;

use super::{invite_settings, prepared, say};
use crate::config::Config;
use crate::{demo, startup};

/// What `portal bench` was asked to measure.
pub struct Measured {
    pub sizes: Vec<u64>,
    pub batch: Option<usize>,
    pub streams: Option<usize>,
    pub ingest_window: u64,
    pub samples: usize,
    /// The synthetic hospital's staff and days (no days: not measured).
    pub hospital: (u32, u32),
}

pub async fn access_log(
    config: &Config,
    clock: &SharedClock,
    measured: Measured,
) -> Result<(), String> {
    let Measured {
        mut sizes,
        batch,
        streams,
        ingest_window,
        samples,
        hospital: (hospital_staff, hospital_days),
    } = measured;
    sizes.sort_unstable();
    sizes.dedup();
    if sizes.first() == Some(&0) || batch == Some(0) || streams == Some(0) {
        return Err("--size, --batch and --streams must be above zero".to_owned());
    }
    let state = prepared(config, clock).await?;
    let batch = batch.unwrap_or_else(|| crate::fhir::commit_every(&state.db));
    let streams = streams.unwrap_or(
        if state.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            4
        } else {
            2
        },
    );
    let options = crate::bench::BenchOptions {
        sizes,
        batch,
        streams,
        ingest_window,
        samples,
        hospital: (hospital_days > 0).then_some(crate::bench_hospital::HospitalOptions {
            staff: hospital_staff,
            days: hospital_days,
            batch,
        }),
    };
    // The portal answers pages on a loopback port while the benchmark runs.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot listen on loopback: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = startup::serve(listener, state.clone(), config, async move {
        let _ = stopped.await;
    });
    let measuring = async {
        let measured = crate::bench::run(&state, &options, addr, clock.now(), &say).await;
        let _ = stop.send(());
        measured
    };
    let (served, measured) = tokio::join!(serving, measuring);
    served.map_err(|e| e.to_string())?;
    measured
}

pub async fn pages(
    config: &Config,
    clock: &SharedClock,
    connections: usize,
    seconds: u64,
    samples: usize,
) -> Result<(), String> {
    if connections == 0 || seconds == 0 || samples == 0 {
        return Err("--connections, --seconds and --samples must be above zero".into());
    }
    let state = prepared(config, clock).await?;
    let domain = config.mail_domain();
    let settings = invite_settings(config, &domain, clock.now());
    let complaints = (&*state.complaints, state.settings.time_zone.as_str());
    demo::seed(&state.db, &settings, &state.access.ingest, complaints)
        .await
        .map_err(|e| e.to_string())?;
    let patient = find_by_reference(&state.db, "P000001")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the demo patient P000001 is missing")?;
    let token = app::identity::server::session::create(
        &state.db,
        &patient,
        &state.identity.sessions,
        clock.now(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let cookie = format!("{}={token}", app::identity::server::session::SESSION_COOKIE);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot listen on loopback: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = startup::serve(listener, state, config, async move {
        let _ = stopped.await;
    });
    let options = crate::bench_pages::PageBenchOptions {
        connections,
        seconds,
        samples,
    };
    let measuring = async {
        let measured = crate::bench_pages::run(addr, &cookie, &options, &say).await;
        let _ = stop.send(());
        measured
    };
    let (served, measured) = tokio::join!(serving, measuring);
    served.map_err(|e| e.to_string())?;
    measured
}
