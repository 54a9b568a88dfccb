//! `GET /bioserver-app/v2/bio-sessions/{id}/faces/{referenceFaceId}/matches`.
//!
//! One match per other face of the session, best first. The score comes from the session's
//! scenario (`result.matchScore`, ≥ 3000 is a match for the sample app) with a small deterministic
//! variation per candidate that never crosses 3000; the false acceptance rate is a decreasing
//! function of the score calibrated on the vendor's example (score 7771.434 ↔ FAR 2.865e-11).
//! Every element carries its own `signature`, as the vendor's example shows.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{Map, Value};

use super::{face_json::face_json, face_not_found, find_session, rfc3339, tagged};
use crate::{error::ApiResult, fixtures, sessions::Face, signing, state::AppState};

/// The score the sample app treats as the match threshold.
pub const MATCH_THRESHOLD: f64 = 3000.0;

/// The vendor example's score…
const VENDOR_SCORE: f64 = 7_771.434_082_031_25;
/// …and its false acceptance rate.
const VENDOR_FAR: f64 = 0.000_000_000_028_650_475_616_752_694;

/// The false acceptance rate (in percent, 100 = "no chance it is the same person") of `score`:
/// `10^(2 - score / k)`, with `k` chosen so the vendor's example pair is reproduced.
pub fn false_acceptance_rate(score: f64) -> f64 {
    let per_decade = VENDOR_SCORE / (2.0 - VENDOR_FAR.log10());
    10f64.powf(2.0 - score.max(0.0) / per_decade)
}

/// The score of `candidate` against `reference` for a scenario score `base`: within ±0.5 % of
/// `base`, repeatable for the same pair of images, and on the same side of 3000 as `base`.
pub fn candidate_score(base: f64, reference: &Face, candidate: &Face) -> f64 {
    let seed = fixtures::digest(&[reference.image.as_ref(), candidate.image.as_ref()].concat());
    let n = u16::from_str_radix(&seed[..4], 16).unwrap_or(0);
    let jitter = (f64::from(n) / f64::from(u16::MAX) - 0.5) * 0.01;
    let varied = (base * (1.0 + jitter)).max(0.0);
    let varied = (varied * 1000.0).round() / 1000.0;
    if (base >= MATCH_THRESHOLD) == (varied >= MATCH_THRESHOLD) {
        varied
    } else {
        base
    }
}

/// The matches of `face_id` against every other face of session `id`.
pub async fn get_matches(
    State(state): State<AppState>,
    Path((id, face_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let session = find_session(&state, &id)?;
    let answer = {
        let s = session.lock();
        match s.faces.get(&face_id) {
            None => Err(face_not_found(&id, &face_id)),
            Some(reference) => {
                let base = s.scenario.result.match_score;
                let mut scored: Vec<(f64, &Face)> = s
                    .faces
                    .values()
                    .filter(|f| f.id != face_id)
                    .map(|c| (candidate_score(base, reference, c), c))
                    .collect();
                scored.sort_by(|a, b| {
                    b.0.total_cmp(&a.0)
                        .then_with(|| a.1.created.cmp(&b.1.created))
                        .then_with(|| a.1.id.cmp(&b.1.id))
                });
                let reference_json = face_json(&state, reference);
                let now = time::OffsetDateTime::now_utc();
                let elements: Vec<(Value, _)> = scored
                    .into_iter()
                    .map(|(score, candidate)| {
                        let mut m = Map::new();
                        m.insert("reference".into(), reference_json.clone());
                        m.insert("candidate".into(), face_json(&state, candidate));
                        m.insert("score".into(), score.into());
                        m.insert(
                            "falseAcceptanceRate".into(),
                            false_acceptance_rate(score).into(),
                        );
                        if let Some(c) = &s.params.correlation_id {
                            m.insert("correlationId".into(), c.clone().into());
                        }
                        if let Some(e) = &s.params.evidence_id {
                            m.insert("evidenceId".into(), e.clone().into());
                        }
                        m.insert("created".into(), rfc3339(now).into());
                        m.insert("expires".into(), super::expires(&state, now).into());
                        (Value::Object(m), s.scenario.result.signature)
                    })
                    .collect();
                Ok(elements)
            }
        }
    };
    let answer = answer.map(|elements| {
        let signed: Vec<Value> = elements
            .into_iter()
            .map(|(mut element, mode)| {
                signing::attach(&state.signer, &mut element, mode);
                element
            })
            .collect();
        Json(Value::Array(signed)).into_response()
    });
    Ok(tagged(&id, &session, answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendor_example_score_gives_the_vendor_example_far() {
        let far = false_acceptance_rate(VENDOR_SCORE);
        assert!((far / VENDOR_FAR - 1.0).abs() < 1e-9, "{far}");
    }

    #[test]
    fn a_higher_score_gives_a_lower_far() {
        assert!(false_acceptance_rate(2000.0) > false_acceptance_rate(3000.0));
        assert!(false_acceptance_rate(3000.0) > false_acceptance_rate(9000.0));
        assert_eq!(false_acceptance_rate(-5.0), 100.0);
    }
}
