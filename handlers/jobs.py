"""JobQueue (APScheduler) jobs: thin callbacks into the scheduler services.

- `sweep` every `LIAISON_SWEEP_SECONDS`: deadline nudges, auto-close, patrol catch-up and
  reminders, reception-day notices (`Sweeper.sweep`);
- one cron job per active patrol (`patrol:<id>`) so a checklist goes out on the minute;
  rebuilt from the database at start-up and whenever the patrols in the database change
  (a seed reload), which the sweep notices.

The outbox sender wakes by itself when a transaction commits.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, ContextTypes, JobQueue

from bot.scheduling import cron_trigger
from bot.services import Services

log = logging.getLogger(__name__)

Signature = tuple[tuple[int, str], ...]


class Jobs:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.patrols: Signature | None = None

    async def sweep(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self.services.deadlines.sweep()
            if context.job_queue is not None:
                await self.schedule_patrols(context.job_queue)
        except Exception:
            log.exception("scheduler sweep failed; the next one retries")

    async def patrol(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self.services.patrols.run_due()
        except Exception:
            log.exception("patrol run failed; the sweep retries")

    async def schedule_patrols(self, job_queue: JobQueue[Any], force: bool = False) -> bool:
        """(Re)build one cron job per active patrol when the patrols changed."""
        patrols = await self.services.patrols.active()
        signature = tuple((p.id, p.schedule) for p in patrols)
        if signature == self.patrols and not force:
            return False
        for job in job_queue.jobs(r"^patrol:"):
            job.schedule_removal()
        zone = self.services.settings.zone
        for patrol in patrols:
            job_queue.run_custom(
                self.patrol,
                job_kwargs={
                    "trigger": cron_trigger(patrol.schedule, zone),
                    "coalesce": True,
                    "misfire_grace_time": 3600,
                },
                name=f"patrol:{patrol.id}",
            )
        self.patrols = signature
        log.info("scheduled %d patrols", len(patrols))
        return True


async def schedule_jobs(app: Application[Any, Any, Any, Any, Any, Any], services: Services) -> Jobs:
    """Start the scheduler's jobs on a started Application."""
    job_queue = app.job_queue
    if job_queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is required for the scheduler")
    jobs = Jobs(services)
    await jobs.schedule_patrols(job_queue, force=True)
    job_queue.run_repeating(
        jobs.sweep, interval=services.settings.sweep_seconds, first=0.1, name="sweep"
    )
    return jobs
