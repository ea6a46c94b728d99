"""The planner's page: server-rendered HTML at ``/`` on top of the roster service.

``api.web.routes.router`` is included by ``api.app.create_app``; templates and
static files live next to it and ship as package data.
"""
