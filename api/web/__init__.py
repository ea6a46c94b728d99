"""The planner's page: server-rendered HTML at ``/`` on top of the roster service.

``api.web.routes.router`` (its pages in one module per group) is included by
``api.app.create_app``; templates and static files live next to it and ship as
package data.
"""
