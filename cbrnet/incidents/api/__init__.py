"""JSON API of incidents and mutual assistance: capabilities, incidents, requests for assistance
(matching and invitations included), offers, deployments and situation reports. Every endpoint reads
through the access engine and writes through the services, as the web UI does."""

from ninja import Router

from cbrnet.incidents.api import assistance, capabilities, incidents, sitreps

router = Router()
router.add_router("/capabilities", capabilities.router)
router.add_router("/incidents", incidents.router)
router.add_router("/requests", assistance.requests_router)
router.add_router("/offers", assistance.offers_router)
router.add_router("/deployments", assistance.deployments_router)
router.add_router("/sitreps", sitreps.router)
