//! Task reminders and overdue notices: a job due at the alarm's time
//! (written with the change that set it) tells the task's owner, if the
//! task still has that time and is not done by then.

use hubbub_hub::ObjectType;

use super::plan::{task_alarm_notice, TaskAlarm};
use crate::jobs::JobError;
use crate::App;

impl App {
    /// Job: the alarm's time came.
    pub(crate) async fn sound_task_alarm(
        &self,
        account_id: i64,
        alarm: TaskAlarm,
    ) -> Result<(), JobError> {
        let store = self.store();
        let task = store
            .records_by_ids(account_id, ObjectType::Task, &[alarm.task_id], false)
            .await?;
        let Some(notice) = task.first().and_then(|t| task_alarm_notice(t, alarm)) else {
            return Ok(());
        };
        let recipients = self.recipients(account_id).await?;
        let readers = self.readers(&recipients.users, ObjectType::Task);
        if !readers.iter().any(|u| u.id == notice.user_id) {
            return Ok(());
        }
        let mut tx = store.begin_write().await?;
        recipients
            .consequences(self.config(), vec![notice])
            .write_on(&mut tx, store.backend(), account_id)
            .await?;
        tx.commit().await?;
        self.wake_worker();
        Ok(())
    }
}
