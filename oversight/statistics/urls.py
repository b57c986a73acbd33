from django.urls import path

from . import views

app_name = "statistics"

urlpatterns = [
    path("", views.index, name="index"),
    path("panel/", views.reduced, name="reduced"),
    path("figures.csv", views.figures_csv, name="figures_csv"),
    path("figures.xlsx", views.figures_xlsx, name="figures_xlsx"),
    path("inspection.xlsx", views.inspection_xlsx, name="inspection_xlsx"),
    path("cases.csv", views.case_list_csv, name="case_list_csv"),
    path("import/", views.spreadsheet_import, name="import"),
]
