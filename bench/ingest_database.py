"""The ingest benchmark's own database: created afresh, migrated, and given the channel
accounts the workload polls; and the checks of what "stored" means in its figures."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from bench.ingest_simulator import page_of, x_account
from bench.ingest_workload import Workload

REPO = Path(__file__).resolve().parent.parent
TEAMS = ("Skat", "Motorstyrelsen")


def recreate_database(dsn: str) -> None:
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    name = info.pop("dbname")
    with psycopg.connect(psycopg.conninfo.make_conninfo(**info, dbname="postgres")) as conn:
        conn.autocommit = True
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def worker_env(dsn: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": dsn,
        "REDIS_URL": redis_url,
        "DEBUG": "0",  # DEBUG keeps every query in memory: not what production runs
        "LOG_LEVEL": "INFO",
        "SVAR_CHANNEL_PREFIX": "svar-bench-ingest",
        "DJANGO_SETTINGS_MODULE": "web.settings",
    }


def setup_django(dsn: str, redis_url: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=REPO, env=worker_env(dsn, redis_url), check=True,
    )  # fmt: skip
    os.environ.update({k: v for k, v in worker_env(dsn, redis_url).items() if k != "LOG_LEVEL"})
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def create_accounts(workload: Workload, base_url: str, prefix: str = "") -> list[int]:
    """Channel accounts in two teams, with an agent in both; returns their ids (X first)."""
    from django.contrib.auth import get_user_model

    from inbox.models import Agent, ChannelAccount, Team

    teams = [Team.objects.get_or_create(name=name)[0] for name in TEAMS]
    user, created = get_user_model().objects.get_or_create(username="mette")
    if created:
        agent = Agent.objects.create(user=user, public_name="Mette Jensen", initials="MJ",
                                     signatures={"x": " /Mette"})  # fmt: skip
        agent.teams.set(teams)
    ids = []
    specs = [("x", x_account(i)) for i in range(workload.x_accounts)]
    specs += [("facebook", page_of(i)) for i in range(workload.facebook_pages)]
    for n, (platform_name, spec) in enumerate(specs):
        account = ChannelAccount.objects.create(
            platform=platform_name,
            display_name=f"{prefix}{spec['name']}",
            external_id=f"{prefix}{spec['id']}",
            handle=spec.get("username", ""),
            team=teams[n % len(teams)],
            credentials_ref=spec["env"],
            base_url=base_url,
            poll_interval_seconds=30,
            # Not due until the clock starts: the workers' own dispatch must not begin early.
            next_poll_at=datetime.now(UTC) + timedelta(days=1),
        )
        ids.append(account.pk)
    return ids


def checks(dsn: str, account_ids: list[int]) -> dict[str, int]:
    """Every message once, and in an event: what 'stored' means in this benchmark."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        messages, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT (account_id, external_id)) FROM inbox_message "
            "WHERE account_id = ANY(%s)", [account_ids],
        ).fetchone()  # fmt: skip
        in_events = conn.execute(
            "SELECT coalesce(sum(jsonb_array_length(e.payload->'messages')), 0) "
            "FROM inbox_inboxevent e JOIN inbox_conversation c ON c.id = e.conversation_id "
            "WHERE e.kind = 'messages.received' AND c.account_id = ANY(%s)", [account_ids],
        ).fetchone()[0]  # fmt: skip
        conversations = conn.execute(
            "SELECT count(*) FROM inbox_conversation WHERE account_id = ANY(%s)", [account_ids]
        ).fetchone()[0]
        # A poll that failed or hit a rate limit stalls its account: say so beside the figure.
        errors = conn.execute(
            "SELECT count(*) FROM inbox_channelaccount WHERE id = ANY(%s) AND last_error <> ''",
            [account_ids],
        ).fetchone()[0]
    return {"messages": messages, "distinct_external_ids": distinct,
            "messages_in_events": int(in_events), "conversations": conversations,
            "accounts_with_errors": errors}  # fmt: skip
