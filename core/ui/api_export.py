"""The "API directe" branch of the Export page (guide "Export pas à pas", steps 6–8).

Shows the settings that shape the JSON (mode create/match, condition, environment), refuses an
Individual account with the guide's warning, launches the export job and shows its live progress;
interrupted API exports are offered for resumption.
"""
from __future__ import annotations

import streamlit as st

from core import integrations, jobs
from core.exports import api_export
from core.exports.flatfile_export import ExportError
from core.mapping import profiles
from core.ui.job_progress import job_progress
from core.ui.nav import screen

SESSION_JOB = "api_export_job"


def _local_url(settings: integrations.IntegrationSettings) -> str | None:
    if settings.environment != "local_sandbox":
        return None
    from core.ui.sandbox import local_sandbox_url  # noqa: PLC0415 - starts the sandbox only when needed
    return local_sandbox_url()


def current_config(con):
    """The SP-API config of the saved settings (the local sandbox started if it is the environment)."""
    settings = integrations.load_settings(con)
    return integrations.spapi_config(settings, local_url=_local_url(settings))


def api_export_panel(page, market: str, selection: str, profile: str) -> None:
    """Form + launch + live progress of an API export of ``selection`` to ``market``."""
    t, con = page.t, page.con
    settings = integrations.load_settings(con)
    if not integrations.api_mode_allowed(settings):
        st.warning(t("settings.individual_warning"))
        st.info(t("api_export.individual"))
        st.page_link(screen("settings").path, label=t("export.go_settings"), icon=":material/settings:")
        return
    st.caption(t("api_export.intro"))
    st.caption(t("api_export.settings_summary", environment=t("settings.environments." + settings.environment),
                 mode=t(api_export.requirements_label_key(integrations.listing_requirements(settings))),
                 condition=t("settings.conditions." + settings.condition)))
    if settings.environment == "local_sandbox":
        st.caption(t("api_export.sandbox_note"))
    st.page_link(screen("settings").path, label=t("export.go_settings"), icon=":material/settings:")
    o1, o2 = st.columns(2)
    method = o1.selectbox(t("api_export.method"), list(api_export.METHODS), key="api_export_method",
                          format_func=lambda m: t("api_export.methods." + m), help=t("api_export.method_help"))
    include = o2.checkbox(t("api_export.include_rejected"), key="api_export_include_rejected",
                          help=t("api_export.include_rejected_help"))
    if st.button(t("api_export.launch"), key="api_export_launch", type="primary"):
        with st.spinner(t("export.running")):
            try:
                local_url = _local_url(settings)
                prepared = api_export.queue(con, api_export.ApiExportRequest(
                    marketplace=market, selection=selection, profile=profile, include_rejected=include,
                    method=method, user=profiles.current_user(), lang=page.lang, local_url=local_url), settings)
            except ExportError as exc:
                st.error(t(exc.key, **exc.params))
                prepared = None
            except Exception as exc:  # noqa: BLE001 - recorded in the history as failed; shown plainly
                st.error(t("export.failed", error=f"{type(exc).__name__}: {exc}"))
                prepared = None
        if prepared is not None:
            # The rules, the JSON build and the sending all run in the job: the page returns at once.
            st.session_state[SESSION_JOB] = prepared.job_id
            api_export.launch(con, prepared.job_id)
            st.success(t("api_export.queued", export=prepared.export_id))
    current = st.session_state.get(SESSION_JOB)
    if current:
        job = jobs.get(con, current)
        if job is not None:
            st.subheader(t("export.result", id=job.ref))
            job_progress(t, page.lang, current, key="api_export_live", cfg_factory=lambda: current_config(con))
            st.page_link(screen("dashboard").path, label=t("export.go_dashboard"), icon=":material/monitoring:")
    _resumable(page, exclude=current)


def _resumable(page, exclude: int | None) -> None:
    """Interrupted API exports (a stopped server, a crash): one button each to resume them."""
    t, con = page.t, page.con
    jobs.recover(con)
    waiting = [j for j in jobs.of_kind(con, api_export.KIND, limit=20)
               if j.id != exclude and j.resumable and not j.alive and j.status != "queued"]
    if not waiting:
        return
    st.subheader(t("api_export.resumable_title"))
    for job in waiting:
        c1, c2 = st.columns([3, 1])
        c1.write(t("api_export.resumable_label", export=job.ref, done=job.done_items, total=job.total))
        if c2.button(t("api_export.resume"), key=f"api_export_resume_{job.id}"):
            api_export.launch(con, job.id, current_config(con))
            st.session_state[SESSION_JOB] = job.id
            st.rerun()
