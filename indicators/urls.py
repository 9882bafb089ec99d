from django.urls import path

from indicators import views, views_targets

app_name = "indicators"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sets/", views.set_list, name="set-list"),
    path("sets/copy/", views.set_copy, name="set-copy"),
    path("sets/<int:pk>/edit/", views.set_edit, name="set-edit"),
    path("<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path("<int:pk>/results/new/", views.manual_result_add, name="manual-result-add"),
    path(
        "deliverables/<int:deliverable_pk>/evidence/new/", views.evidence_add, name="evidence-add"
    ),
    path("evidence/review/", views.review_queue, name="review-queue"),
    path("evidence/<int:pk>/edit/", views.evidence_edit, name="evidence-edit"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence-delete"),
    path("evidence/<int:pk>/submit/", views.evidence_submit, name="evidence-submit"),
    path("evidence/<int:pk>/review/", views.evidence_review, name="evidence-review"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence-file"),
    # Target revisions (indicators/views_targets.py)
    path("<int:pk>/targets/revise/", views_targets.revision_add, name="target-revision-add"),
    path("targets/revisions/", views_targets.revision_list, name="target-revision-list"),
    path(
        "targets/revisions/<int:pk>/", views_targets.revision_detail, name="target-revision-detail"
    ),
    path(
        "targets/revisions/<int:pk>/withdraw/",
        views_targets.revision_withdraw,
        name="target-revision-withdraw",
    ),
    path(
        "targets/revisions/<int:pk>/letter/",
        views_targets.revision_letter,
        name="target-revision-letter",
    ),
]
