from django.urls import path

from . import views

app_name = "shop"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("products/<slug:slug>/", views.product_detail, name="product"),
    path("cart/", views.cart_view, name="cart"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/payment/", views.payment, name="payment"),
    path("orders/<str:number>/", views.confirmation, name="confirmation"),
]
