import io
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from campus_social.common.errors import Invalid
from campus_social.common.images import clean_image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _encoded(image: Image.Image, format: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **params)
    return out.getvalue()


def _upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _reopened(cleaned) -> Image.Image:
    image = Image.open(io.BytesIO(cleaned.read()))
    image.load()
    return image


def _photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Campus Camera"
    exif[ExifTags.Base.DateTime] = "2025:04:01 09:30:00"
    gps = exif.get_ifd(GPS_IFD)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (35.0, 41.0, 22.2)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (139.0, 41.0, 30.1)
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    return _encoded(image, "JPEG", exif=exif, comment=b"taken at home")


def _refusal(upload, **limits) -> Invalid:
    with pytest.raises(Invalid) as caught:
        clean_image(upload, **limits)
    return caught.value


def test_the_test_photo_really_carries_a_gps_position():
    original = Image.open(io.BytesIO(_photo_with_gps()))
    assert original.getexif().get_ifd(GPS_IFD)[ExifTags.GPS.GPSLatitudeRef] == "N"


def test_a_photo_comes_back_without_any_exif_or_gps_data():
    cleaned = clean_image(_upload(_photo_with_gps()))

    image = _reopened(cleaned)
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    assert not image.getexif().get_ifd(GPS_IFD)
    assert "exif" not in image.info
    assert "comment" not in image.info
    assert "icc_profile" not in image.info


def test_the_cleaned_bytes_hold_no_trace_of_the_metadata():
    cleaned = clean_image(_upload(_photo_with_gps())).read()

    assert b"Exif" not in cleaned
    assert b"Campus Camera" not in cleaned
    assert b"taken at home" not in cleaned


def test_the_icc_profile_and_xmp_are_dropped_too():
    image = Image.new("RGB", (32, 32), (10, 200, 10))
    data = _encoded(image, "JPEG", icc_profile=b"\0" * 128, xmp=b"<x:xmpmeta>secret</x:xmpmeta>")

    cleaned = _reopened(clean_image(_upload(data)))

    assert "icc_profile" not in cleaned.info
    assert "xmp" not in cleaned.info


def test_a_sideways_photo_is_turned_upright_by_its_exif_orientation():
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    data = _encoded(Image.new("RGB", (2, 1), (90, 90, 90)), "JPEG", exif=exif)

    image = _reopened(clean_image(_upload(data)))

    assert image.size == (1, 2)


def test_orientation_six_turns_the_picture_a_quarter_turn_clockwise():
    sideways = Image.new("RGB", (40, 20), (0, 0, 255))
    sideways.paste((255, 0, 0), (0, 0, 20, 20))  # the left half is red
    exif = Image.Exif()
    exif[ORIENTATION] = 6

    image = _reopened(clean_image(_upload(_encoded(sideways, "JPEG", exif=exif))))

    assert image.size == (20, 40)
    red, _green, blue = image.getpixel((10, 5))
    # the red left half is now on top
    assert red > 200
    assert blue < 60
    assert ORIENTATION not in image.getexif()


def test_a_png_with_transparency_stays_a_png_and_keeps_its_alpha():
    logo = Image.new("RGBA", (30, 30), (0, 0, 0, 0))
    logo.paste((255, 0, 0, 255), (10, 10, 20, 20))
    upload = _upload(_encoded(logo, "PNG"), name="logo.png", content_type="image/png")

    cleaned = clean_image(upload)

    assert cleaned.name.endswith(".png")
    image = _reopened(cleaned)
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0
    assert image.getpixel((15, 15)) == (255, 0, 0, 255)


def test_a_gif_with_a_transparent_colour_becomes_a_transparent_png():
    sticker = Image.new("P", (16, 16), 0)
    sticker.putpalette([0, 0, 0, 255, 255, 0])
    sticker.paste(1, (4, 4, 12, 12))
    data = _encoded(sticker, "GIF", transparency=0)

    image = _reopened(clean_image(_upload(data, name="sticker.gif")))

    assert image.format == "PNG"
    assert image.getpixel((0, 0))[3] == 0


def test_a_png_whose_alpha_is_fully_opaque_becomes_a_jpeg():
    opaque = Image.new("RGBA", (30, 30), (0, 120, 0, 255))

    cleaned = clean_image(_upload(_encoded(opaque, "PNG"), name="a.png"))

    assert cleaned.name.endswith(".jpg")
    assert _reopened(cleaned).format == "JPEG"


@pytest.mark.parametrize("format", ["PNG", "WEBP", "GIF"])
def test_other_accepted_formats_are_re_encoded_as_jpeg_photos(format):
    image = Image.new("RGB", (30, 20), (30, 60, 90))

    cleaned = _reopened(clean_image(io.BytesIO(_encoded(image, format))))

    assert cleaned.format == "JPEG"
    assert cleaned.mode == "RGB"
    assert cleaned.size == (30, 20)


def test_a_sixteen_bit_grey_png_keeps_its_shades_instead_of_turning_white():
    grey = Image.new("I;16", (8, 8), 32768)

    image = _reopened(clean_image(io.BytesIO(_encoded(grey, "PNG"))))

    assert 120 <= image.getpixel((4, 4))[0] <= 136


def test_the_cleaned_file_gets_a_fresh_random_name():
    first = clean_image(_upload(_photo_with_gps(), name="山田花子の家.jpg"))
    second = clean_image(_upload(_photo_with_gps(), name="山田花子の家.jpg"))

    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", first.name)
    assert first.name != second.name


def test_a_plain_file_object_is_accepted_as_well_as_a_django_upload():
    image = _reopened(clean_image(io.BytesIO(_photo_with_gps())))

    assert image.size == (64, 48)


def test_a_partly_read_upload_is_read_from_its_start():
    upload = _upload(_photo_with_gps())
    upload.read(10)

    image = _reopened(clean_image(upload))

    assert image.size == (64, 48)


def test_a_file_over_the_byte_limit_is_refused_before_it_is_decoded():
    # Not a picture at all: had it been decoded, the refusal would be about the format.
    upload = _upload(b"x" * 2001)

    error = _refusal(upload, max_bytes=2000)

    assert error.code == "image_too_large"
    assert error.fields == {"photo": [error.message]}


def test_a_stream_without_a_size_is_refused_once_it_passes_the_byte_limit():
    error = _refusal(io.BytesIO(os.urandom(10_000)), max_bytes=4096)

    assert error.code == "image_too_large"


def test_a_file_exactly_at_the_byte_limit_is_accepted():
    data = _photo_with_gps()

    image = _reopened(clean_image(_upload(data), max_bytes=len(data)))

    assert image.size == (64, 48)
    # One byte less and the same file is refused: the limit is inclusive, not merely generous.
    assert _refusal(_upload(data), max_bytes=len(data) - 1).code == "image_too_large"


def test_the_default_byte_limit_is_five_megabytes():
    error = _refusal(_upload(b"\0" * (5 * 1024 * 1024 + 1)))

    assert error.code == "image_too_large"
    assert "5.0" in error.message


def test_a_text_file_named_like_a_jpeg_is_refused():
    upload = _upload(b"Hello, this is not a picture.\n", name="photo.jpg")

    error = _refusal(upload)

    assert error.code == "image_format"
    assert error.fields == {"photo": [error.message]}


def test_an_empty_file_is_refused():
    assert _refusal(_upload(b"")).code == "image_format"


@pytest.mark.parametrize("format", ["BMP", "TIFF", "ICO", "PPM"])
def test_pictures_pillow_could_read_but_we_do_not_accept_are_refused(format):
    data = _encoded(Image.new("RGB", (16, 16), (1, 2, 3)), format)

    assert _refusal(_upload(data, name="photo.jpg")).code == "image_format"


def test_a_truncated_jpeg_is_refused():
    noise = Image.frombytes("RGB", (128, 128), os.urandom(128 * 128 * 3))
    data = _encoded(noise, "JPEG", quality=95)

    error = _refusal(_upload(data[: len(data) // 2]))

    assert error.code == "image_unreadable"


def test_a_png_with_corrupt_pixel_data_is_refused():
    data = bytearray(_encoded(Image.frombytes("L", (64, 64), os.urandom(64 * 64)), "PNG"))
    idat = data.index(b"IDAT") + 4
    data[idat + 10 : idat + 400] = b"\xff" * 390

    assert _refusal(_upload(bytes(data))).code == "image_unreadable"


def test_a_decompression_bomb_is_refused_as_too_many_pixels():
    # 400 million one-bit pixels compress to about 50 kB.
    bomb = _encoded(Image.new("1", (20000, 20000)), "PNG")
    assert len(bomb) < 5 * 1024 * 1024

    error = _refusal(_upload(bomb, name="bomb.png"))

    assert error.code == "image_too_many_pixels"


def test_a_picture_over_our_pixel_limit_but_under_pillows_is_refused_before_decoding():
    big = _encoded(Image.new("1", (8000, 6000)), "PNG")  # 48 million pixels

    error = _refusal(_upload(big, name="big.png"))

    assert error.code == "image_too_many_pixels"


def test_the_pixel_limit_leaves_pillows_global_setting_alone():
    before = Image.MAX_IMAGE_PIXELS
    _refusal(_upload(_encoded(Image.new("1", (8000, 6000)), "PNG")), max_pixels=1000)

    assert before == Image.MAX_IMAGE_PIXELS


def test_a_large_photo_is_downsized_to_2048_on_its_longest_side():
    photo = Image.new("RGB", (4000, 3000), (120, 130, 140))

    image = _reopened(clean_image(_upload(_encoded(photo, "JPEG"))))

    assert image.size == (2048, 1536)


def test_a_tall_picture_is_downsized_on_its_height():
    tall = Image.new("RGB", (1000, 3000), (120, 130, 140))

    image = _reopened(clean_image(io.BytesIO(_encoded(tall, "PNG")), max_side=600))

    assert image.size == (200, 600)


def test_a_very_large_jpeg_is_still_downsized_to_exactly_the_longest_side():
    photo = Image.new("RGB", (7000, 5000), (120, 130, 140))  # decoded at reduced scale

    image = _reopened(clean_image(_upload(_encoded(photo, "JPEG"))))

    assert image.size == (2048, 1463)


def test_a_small_picture_is_not_enlarged():
    image = _reopened(clean_image(_upload(_photo_with_gps())))

    assert image.size == (64, 48)


def test_refusals_name_the_field_the_caller_asked_for():
    error = _refusal(_upload(b"not a picture"), field="cover")

    assert error.fields == {"cover": [error.message]}
