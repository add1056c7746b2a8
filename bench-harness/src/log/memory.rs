//! The in-memory log: the same contract as a broker's, for tests and for
//! runs without a broker.

use std::time::Duration;

use super::{EventLog, LogError, Record, check_sizes};

/// Messages in a vector; offset = index + 1.
#[derive(Debug, Default)]
pub struct MemoryLog {
    messages: Vec<Vec<u8>>,
    dead: Vec<(Record, String)>,
}

impl EventLog for MemoryLog {
    fn name(&self) -> String {
        "memory".into()
    }

    fn append(&mut self, messages: &[Vec<u8>]) -> Result<u64, LogError> {
        check_sizes(&self.name(), messages)?;
        self.messages.extend(messages.iter().cloned());
        Ok(self.messages.len() as u64)
    }

    fn read(
        &mut self,
        from: u64,
        max: usize,
        wait: Option<Duration>,
    ) -> Result<Vec<Record>, LogError> {
        let start = from.max(1) as usize - 1;
        let out: Vec<Record> = self
            .messages
            .iter()
            .enumerate()
            .skip(start)
            .take(max)
            .map(|(i, m)| Record {
                offset: i as u64 + 1,
                bytes: m.clone(),
            })
            .collect();
        if out.is_empty()
            && let Some(w) = wait
        {
            // Nobody else appends to a memory log while we wait.
            std::thread::sleep(w);
        }
        Ok(out)
    }

    fn len(&mut self) -> Result<u64, LogError> {
        Ok(self.messages.len() as u64)
    }

    /// Once per offset, like the broker's (a replay records it once).
    fn dead_letter(&mut self, record: &Record, why: &str) -> Result<(), LogError> {
        if self
            .dead
            .last()
            .is_none_or(|(r, _)| r.offset < record.offset)
        {
            self.dead.push((record.clone(), why.to_string()));
        }
        Ok(())
    }

    fn dead_letters(&mut self) -> Result<u64, LogError> {
        Ok(self.dead.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_memory_log_keeps_the_contract() {
        super::super::contract::holds(&mut super::MemoryLog::default());
    }
}
