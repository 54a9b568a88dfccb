//! 200 sessions created at once over HTTP — most with `X-Emulator-Scenario`, some taking the
//! next name of `POST /__emulator/queue` — each captured over its own channel concurrently. Every
//! session must play exactly what its scenario plays alone: no cross-talk between sessions.

mod support;

use std::collections::{BTreeMap, HashMap};
use support::*;

use futures_util::future::join_all;
use serde_json::{json, Value};

/// Sessions created with the header.
const WITH_HEADER: usize = 160;
/// Sessions created without a scenario, so the queue decides.
const FROM_QUEUE: usize = 40;

/// What one session did, as far as its scenario decides it (stable across runs).
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    /// The scenario the emulator says the session plays (or the one the REST error names).
    scenario: String,
    /// How it was selected (`request`, `queue`; `-` when init was refused).
    selected_by: String,
    /// Page messages, channel end, REST result and compact transcript.
    lines: Vec<String>,
}

/// Creates a session (header or queue), plays it as a page on its own device, and describes it.
async fn run(emu: &TestEmulator, scenario: Option<&str>, mode: &str, device: String) -> Outcome {
    let res = init_with(
        emu,
        &format!("backend/{device}"),
        scenario,
        json!({"livenessMode": mode}),
    )
    .await;
    let status = res.status().as_u16();
    if status != 201 {
        let body: Value = res.json().await.expect("JSON error");
        // A refused init names no session; the answer identifies the scenario that refused it.
        let refused_by = match scenario {
            Some(name) => name.to_string(),
            None => refuser(emu, &body).await,
        };
        return Outcome {
            scenario: refused_by,
            selected_by: "-".into(),
            lines: vec![format!("init → {status} {body}")],
        };
    }
    let id = session_id(&res);
    let played = play(emu, &id, &device).await;
    assert_contract_order(mode, &played, &format!("{scenario:?} {mode} {id}"));
    let summary = settled(emu, &id).await;
    let result = result(emu, &id).await;
    let mut lines = vec![
        format!(
            "page: {}",
            fold(played.all().iter().map(label).collect()).join(", ")
        ),
        format!("channel: {}", played.ending()),
        format!(
            "result: {} {}",
            result["livenessStatus"], result["livenessMode"]
        ),
    ];
    let best = result["bestImageId"].as_str().unwrap_or_default();
    lines.extend(
        compact_transcript(&summary["events"], &[id.as_str(), best])
            .into_iter()
            // The selection means differs between header and queue sessions; it is checked apart.
            .map(|l| {
                l.split(" selectedBy=")
                    .next()
                    .unwrap_or_default()
                    .to_string()
            }),
    );
    Outcome {
        scenario: summary["scenario"].as_str().expect("scenario").to_string(),
        selected_by: summary["selectedBy"]
            .as_str()
            .expect("selectedBy")
            .to_string(),
        lines,
    }
}

/// The built-in scenario whose scripted init answer is `body`.
async fn refuser(emu: &TestEmulator, body: &Value) -> String {
    let list = emu.json("/__emulator/scenarios").await;
    for entry in list.as_array().expect("array") {
        let name = entry["name"].as_str().expect("name");
        let scenario = emu.json(&format!("/__emulator/scenarios/{name}")).await;
        if scenario["rest"]["initLivenessSession"]["body"] == *body {
            return name.to_string();
        }
    }
    panic!("no scenario answers init with {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_parallel_sessions_each_play_their_own_scenario() {
    let emu = TestEmulator::start().await;
    let names: Vec<String> = emu
        .json("/__emulator/scenarios")
        .await
        .as_array()
        .expect("array")
        .iter()
        .filter(|e| e["source"] == "builtin")
        .filter_map(|e| e["name"].as_str().map(str::to_string))
        .collect();
    assert!(names.len() >= 10, "the catalogue is there: {names:?}");

    // What each scenario does alone, played one session at a time.
    let mut reference: HashMap<(String, &str), Outcome> = HashMap::new();
    for name in &names {
        for mode in MODES {
            let alone = run(&emu, Some(name), mode, format!("alone/{name}/{mode}")).await;
            assert_eq!(&alone.scenario, name);
            reference.insert((name.clone(), mode), alone);
        }
    }

    // The queue gets FROM_QUEUE names (the catalogue in a rotated order), then everything at once.
    let queued: Vec<String> = (0..FROM_QUEUE)
        .map(|i| names[(i * 7 + 3) % names.len()].clone())
        .collect();
    emu.queue(&queued).await;

    let mut jobs = Vec::new();
    for i in 0..WITH_HEADER + FROM_QUEUE {
        let mode = MODES[i % 3];
        let scenario = (i < WITH_HEADER).then(|| names[(i / 3 + i) % names.len()].clone());
        let emu = &emu;
        jobs.push(async move {
            let outcome = run(emu, scenario.as_deref(), mode, format!("device-{i}")).await;
            (scenario, mode, outcome)
        });
    }
    let outcomes = join_all(jobs).await;
    assert_eq!(outcomes.len(), 200);

    let mut from_queue: BTreeMap<String, usize> = BTreeMap::new();
    for (requested, mode, outcome) in &outcomes {
        match requested {
            Some(name) => {
                assert_eq!(
                    &outcome.scenario, name,
                    "a header session plays its scenario"
                );
                assert!(
                    matches!(outcome.selected_by.as_str(), "request" | "-"),
                    "{outcome:?}"
                );
            }
            None => {
                assert!(
                    matches!(outcome.selected_by.as_str(), "queue" | "-"),
                    "{outcome:?}"
                );
                *from_queue.entry(outcome.scenario.clone()).or_default() += 1;
            }
        }
        let alone = &reference[&(outcome.scenario.clone(), *mode)];
        assert_eq!(
            outcome.lines, alone.lines,
            "{} in {mode} played in parallel differs from the same scenario alone",
            outcome.scenario
        );
    }
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for name in &queued {
        *expected.entry(name.clone()).or_default() += 1;
    }
    assert_eq!(
        from_queue, expected,
        "each queued name went to exactly one session"
    );
    assert_eq!(
        emu.json("/__emulator/queue").await["scenarios"],
        json!([]),
        "the queue is used up"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_creations_never_share_or_skip_a_queued_name() {
    // A queued scenario that refuses init (init-backpressure) alternates with one that does not:
    // each of 100 simultaneous creations must take exactly one queued name, refusal included.
    let emu = TestEmulator::start().await;
    let queued: Vec<&str> = (0..100)
        .map(|i| {
            if i % 2 == 0 {
                "init-backpressure"
            } else {
                "spoof"
            }
        })
        .collect();
    emu.queue(&queued).await;
    let jobs = (0..100).map(|i| {
        let emu = &emu;
        async move {
            let res = init_with(
                emu,
                &format!("backend-{i}"),
                None,
                json!({"livenessMode": "LIVENESS_PASSIVE"}),
            )
            .await;
            if res.status() != 201 {
                return format!("refused {}", res.status().as_u16());
            }
            let id = session_id(&res);
            let s = session_json(emu, &id).await;
            format!(
                "{} by {}",
                s["scenario"].as_str().unwrap_or("?"),
                s["selectedBy"]
            )
        }
    });
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for outcome in join_all(jobs).await {
        *counts.entry(outcome).or_default() += 1;
    }
    assert_eq!(
        counts,
        BTreeMap::from([
            ("refused 429".to_string(), 50),
            ("spoof by \"queue\"".to_string(), 50)
        ])
    );
    assert_eq!(emu.json("/__emulator/queue").await["scenarios"], json!([]));
    emu.shutdown().await;
}
