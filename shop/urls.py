from django.urls import path, register_converter

from . import views
from .converters import OrderNumberConverter

register_converter(OrderNumberConverter, "order_number")

app_name = "shop"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("products/<slug:slug>/", views.product_detail, name="product"),
    path("cart/", views.cart_view, name="cart"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/payment/", views.payment, name="payment"),
    path("orders/<order_number:number>/", views.confirmation, name="confirmation"),
]
