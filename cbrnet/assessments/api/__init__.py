"""JSON API of needs assessments: questionnaire templates, assessments and their answers, scores,
gaps and comparisons. Every endpoint reads through the access engine and writes through the services."""

from ninja import Router

from cbrnet.assessments.api import assessments, questionnaires, scores

router = Router()
router.add_router("/questionnaires", questionnaires.router)
router.add_router("/assessments", assessments.router)
router.add_router("/scores", scores.router)
