//! The reasons of a measured recommendation.

use super::*;

impl<'a> Advisor<'a> {
    pub(crate) fn reasons(
        &self,
        choice: Choice,
        why: Vec<String>,
        budget: Vec<String>,
    ) -> Vec<String> {
        let a = self.a;
        let f = a.freshness;
        let rate = units::rate(a.events_per_second);
        let mut out = Vec::new();
        let p = &self.cands[choice.primary()];

        // Headline.
        out.push(match choice {
            Choice::Single(_) => {
                let what = match p.mode() {
                    Mode::Batch => format!("Batch, {}", plan_schedule(p).unwrap_or_default()),
                    Mode::MicroBatch => format!("Micro-batch, {}", plan_schedule(p).unwrap_or_default()),
                    Mode::Stream => "Stream".to_string(),
                };
                format!(
                    "{what}: {} has a measured p99 of {} against your {} freshness target and costs {} a month \
                     at {rate} events/s.",
                    p.label(),
                    units::duration_ms(p.p99_ms),
                    f.adjective(),
                    units::usd(p.usd_or_inf())
                )
            }
            Choice::Lambda { correct, fast } => {
                let (b, s) = (&self.cands[correct], &self.cands[fast]);
                format!(
                    "Lambda: {} for the correct historical view ({}, {} a month) plus {} for the fast view \
                     (p99 {}, {}, {} a month) — {} a month in total, and two pipelines to build and run.",
                    b.label(),
                    b.correctness(),
                    units::usd(b.usd_or_inf()),
                    s.label(),
                    units::duration_ms(s.p99_ms),
                    s.correctness(),
                    units::usd(s.usd_or_inf()),
                    units::usd(self.usd(choice))
                )
            }
            Choice::Kappa(_) => format!(
                "Kappa: one stream pipeline, {} (p99 {} against your {} target, {} a month at {rate} events/s), \
                 with history reprocessed by replaying a retained log through the same code.",
                p.label(),
                units::duration_ms(p.p99_ms),
                f.adjective(),
                units::usd(p.usd_or_inf())
            ),
        });

        // The measured comparison.
        let reps: Vec<String> = Mode::ALL
            .iter()
            .filter_map(|&m| self.representative(m))
            .map(|i| {
                let c = &self.cands[i];
                let verdict = if c.meets { "" } else { " (too slow)" };
                format!("{}{verdict}", c.brief())
            })
            .collect();
        out.push(format!(
            "Measured on {} and costed at your {rate} events/s: {}.",
            self.r.workload,
            reps.join("; ")
        ));

        // What the seed says about the chosen mode, against the numbers.
        match (choice, p.mode()) {
            (Choice::Single(_), Mode::Batch) => self.batch_reasons(p, &mut out),
            (Choice::Single(_), Mode::MicroBatch) => self.micro_reasons(p, &mut out),
            _ if p.mode() == Mode::Stream => self.stream_reasons(p, &mut out),
            _ => {}
        }
        out.extend(why);

        // Team.
        let arch = self.architecture(choice);
        let streamy = matches!(
            arch,
            Architecture::Stream | Architecture::Kappa | Architecture::Lambda
        );
        match a.team_experience {
            Experience::None if streamy => {
                let s = p;
                out.push(format!(
                    "Your team has no streaming experience, and {} has {} failure modes to handle ({}). The seed: \
                     batch is simpler to debug, test and operate. Budget time to learn them, or relax freshness \
                     (see below).",
                    s.label(),
                    s.failure_modes(),
                    s.src.complexity.failure_modes.join("; ")
                ));
            }
            Experience::None if arch == Architecture::MicroBatch => {
                let stream_fm = self
                    .best(Mode::Stream, |c| c.feasible())
                    .map(|i| format!(" (stream has {})", self.cands[i].failure_modes()))
                    .unwrap_or_default();
                out.push(format!(
                    "Your team has no streaming experience: micro-batch keeps batch tooling and has {} failure \
                     modes{stream_fm}; the seed names micro-batch the best balance between latency and familiar tooling.",
                    p.failure_modes()
                ));
            }
            Experience::None => out.push(
                "Your team has no streaming experience, and batch is the simplest to debug, test and operate (seed)."
                    .to_string(),
            ),
            _ => {}
        }

        // Transformation.
        let t = a.transformation;
        if t.favours_batch() && matches!(arch, Architecture::Batch | Architecture::MicroBatch) {
            out.push(format!(
                "{} is easier in batch (seed: heavy joins, ML training and complex aggregations are easier in \
                 batch).",
                capitalize(t.phrase())
            ));
        } else if !t.needs_history() && matches!(arch, Architecture::Stream | Architecture::Kappa) {
            out.push(format!(
                "{} works well in a stream (seed: simple filters, enrichments and alerts work well in streams).",
                capitalize(t.phrase())
            ));
        } else if t.needs_history() && matches!(arch, Architecture::Stream | Architecture::Kappa) {
            out.push(format!(
                "{} is stateful in a stream: {} stateful operator{}, peak state {} in the measured run.",
                capitalize(t.phrase()),
                p.src.complexity.stateful_operators,
                if p.src.complexity.stateful_operators == 1 { "" } else { "s" },
                units::bytes(p.src.complexity.peak_state_bytes)
            ));
        }

        // Late data.
        if a.late_data != LateData::None {
            let excluded: Vec<String> = self
                .cands
                .iter()
                .filter(|c| c.meets && !c.acceptable && c.feasible())
                .map(|c| format!("{} ({})", c.label(), c.correctness()))
                .collect();
            let lossy_lambda =
                matches!(choice, Choice::Lambda { fast, .. } if !self.cands[fast].acceptable);
            if !excluded.is_empty() && !lossy_lambda {
                out.push(format!(
                    "Late data arrives, so plans that dropped late events were not acceptable as the answer even \
                     though fast enough: {}.",
                    excluded.join("; ")
                ));
            }
            let main = match choice {
                Choice::Lambda { correct, .. } => &self.cands[correct],
                _ => p,
            };
            let late = main.src.correctness.late_events;
            if main.exact() {
                out.push(if late > 0 {
                    format!(
                        "{} is exact on the measured data: it folded in all {} late event{}.",
                        main.label(),
                        units::count(late),
                        if late == 1 { "" } else { "s" }
                    )
                } else {
                    format!(
                        "{} is exact on the measured data: nothing was dropped.",
                        main.label()
                    )
                });
            }
        } else if !p.exact() {
            out.push(format!(
                "You expect no late data; in the measured run (which had some) {} was not exact: {}.",
                p.label(),
                p.correctness()
            ));
        }

        // Reprocessing.
        if a.reprocessing == Reprocessing::Often || matches!(choice, Choice::Kappa(_)) {
            let per_mode: Vec<String> = Mode::ALL
                .iter()
                .filter_map(|&m| self.cands.iter().find(|c| c.mode() == m && !c.derived))
                .map(|c| {
                    format!(
                        "{} {}",
                        c.mode(),
                        units::duration_ms(c.src.reprocessing.one_day_seconds * 1000.0)
                    )
                })
                .collect();
            if !per_mode.is_empty() {
                out.push(format!(
                    "Reprocessing one day of data (measured): {}. The seed: easy in batch (rerun it), harder in \
                     stream (replay from an offset or checkpoint).",
                    per_mode.join(", ")
                ));
            }
        }

        out.extend(budget);

        // The allowance, when it was needed.
        if p.meets && p.p99_ms > f.budget_ms() {
            out.push(format!(
                "The p99 of {} ({}) is {:.0} % over {} — within the {:.0} % allowance for a coarse freshness \
                 step (start-up and run time come on top of the schedule).",
                p.label(),
                units::duration_ms(p.p99_ms),
                (p.p99_ms / f.budget_ms() - 1.0) * 100.0,
                f.phrase(),
                FRESHNESS_ALLOWANCE * 100.0
            ));
        }
        out
    }

    pub(crate) fn batch_reasons(&self, b: &Cand, out: &mut Vec<String>) {
        let a = self.a;
        let f = a.freshness;
        if f == Freshness::OneDay {
            out.push("The seed: if \"yesterday's data is fine,\" batch wins.".to_string());
        }
        let every = interval_words(b.interval_ms());
        let alt = self
            .cheapest(|c| c.mode() == Mode::Stream && c.ok())
            .or_else(|| self.cheapest(|c| c.mode() == Mode::Stream && c.acceptable && c.feasible()))
            .or_else(|| {
                self.cheapest(|c| c.mode() == Mode::MicroBatch && c.acceptable && c.feasible())
            });
        let Some(alt) = alt.map(|i| &self.cands[i]) else {
            out.push(format!(
                "A batch job every {every} is the simplest plan that meets {} (seed: batch is simpler to debug, \
                 test and operate).",
                f.phrase()
            ));
            return;
        };
        let (simpler, detail) = simplicity(b, alt);
        let (bu, su) = (b.usd_or_inf(), alt.usd_or_inf());
        let sufficient = format!(
            "p99 {} for a {} target",
            units::duration_ms(b.p99_ms),
            f.adjective()
        );
        if bu <= su && simpler {
            out.push(format!(
                "The seed's rule holds here: a batch job every {every} is simpler ({detail}), cheaper ({} vs {} a \
                 month for {}, which runs 24/7) and sufficient ({sufficient}).",
                units::usd(bu),
                units::usd(su),
                alt.label()
            ));
        } else if bu <= su {
            out.push(format!(
                "A batch job every {every} is cheaper ({} vs {} a month for {}) and sufficient ({sufficient}), as \
                 the seed says; on simplicity the measured counts are mixed: {detail}.",
                units::usd(bu),
                units::usd(su),
                alt.label()
            ));
        } else {
            out.push(format!(
                "The seed says batch is cheaper because it scales to zero between runs while stream runs 24/7; \
                 at {} events/s the measurements disagree: {} costs {} a month, {} costs {}. Batch stays the \
                 answer because it meets {} and is {} ({detail}); the extra {} a month buys that simplicity.",
                units::rate(a.events_per_second),
                b.label(),
                units::usd(bu),
                alt.label(),
                units::usd(su),
                f.phrase(),
                if simpler { "simpler" } else { "simpler to operate by the seed's account" },
                units::usd(bu - su)
            ));
        }
    }

    pub(crate) fn micro_reasons(&self, m: &Cand, out: &mut Vec<String>) {
        let f = self.a.freshness;
        let mut text =
            "Micro-batch is the seed's compromise: batch tooling at near-real-time latency."
                .to_string();
        if let Some(b) = self.representative(Mode::Batch).map(|i| &self.cands[i])
            && !b.meets
        {
            text.push_str(&format!(
                " Batch cannot meet {}: its fastest acceptable plan, {}, has p99 {}.",
                f.phrase(),
                b.label(),
                units::duration_ms(b.p99_ms)
            ));
        }
        if let Some(s) = self.best(Mode::Stream, Cand::ok).map(|i| &self.cands[i]) {
            text.push_str(&format!(
                " Stream ({}: p99 {}, {} a month) also meets it but has {} failure modes against {}; move to \
                 stream only when {} is not fresh enough.",
                s.label(),
                units::duration_ms(s.p99_ms),
                units::usd(s.usd_or_inf()),
                s.failure_modes(),
                m.failure_modes(),
                units::duration_ms(m.p99_ms)
            ));
        }
        out.push(text);
    }

    pub(crate) fn stream_reasons(&self, s: &Cand, out: &mut Vec<String>) {
        let f = self.a.freshness;
        let reps: Vec<&Cand> = [Mode::Batch, Mode::MicroBatch]
            .iter()
            .filter_map(|&m| self.representative(m))
            .map(|i| &self.cands[i])
            .collect();
        let slow: Vec<String> = reps
            .iter()
            .filter(|c| !c.ok())
            .map(|c| {
                format!(
                    "{}'s best p99 is {}",
                    c.mode(),
                    units::duration_ms(c.p99_ms)
                )
            })
            .collect();
        let fast: Vec<String> = reps
            .iter()
            .filter(|c| c.ok())
            .map(|c| format!("{} ({})", c.label(), units::usd_per_month(c.usd())))
            .collect();
        if fast.is_empty() {
            let lead = if f.seconds_matter() {
                "Seconds matter, so stream (seed: if \"seconds matter,\" stream)".to_string()
            } else {
                format!("Stream is the only mode that meets {}", f.phrase())
            };
            if slow.is_empty() {
                out.push(format!("{lead}."));
            } else {
                out.push(format!(
                    "{lead}: {}, over the {} target.",
                    slow.join(" and "),
                    f.adjective()
                ));
            }
        } else {
            out.push(format!(
                "Simpler modes also meet {} but cost more at {} events/s: {}; stream costs {} a month.",
                f.phrase(),
                units::rate(self.a.events_per_second),
                fast.join(", "),
                units::usd(s.usd_or_inf())
            ));
        }
        if let Some(b) = self.cheapest(|c| c.mode() == Mode::Batch && c.acceptable && c.feasible())
        {
            let b = &self.cands[b];
            if b.usd_or_inf() < s.usd_or_inf() {
                out.push(format!(
                    "Freshness has a price: stream runs 24/7 for {} a month, while {} would cost {} (seed: batch \
                     scales compute down to zero between runs).",
                    units::usd(s.usd_or_inf()),
                    b.label(),
                    units::usd(b.usd_or_inf())
                ));
            } else {
                out.push(format!(
                    "At {} events/s stream is also no dearer than batch: {} a month vs {} for {} — the seed's cost \
                     argument for batch does not hold at this rate.",
                    units::rate(self.a.events_per_second),
                    units::usd(s.usd_or_inf()),
                    units::usd(b.usd_or_inf()),
                    b.label()
                ));
            }
        }
    }
}
