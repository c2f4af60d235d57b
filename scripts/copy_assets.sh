#!/bin/sh
# Copies the front-end files Baton serves from the npm packages into baton/static/vendor.
set -eu
dest=baton/static/vendor
rm -rf "$dest"
mkdir -p "$dest/fonts"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/"
# Alpine's CSP build: it parses x-data/x-show/@event expressions itself, without eval or Function().
cp node_modules/@alpinejs/csp/dist/cdn.min.js "$dest/alpine-csp.min.js"
cp node_modules/sortablejs/Sortable.min.js "$dest/"
cp node_modules/chart.js/dist/chart.umd.js "$dest/chart.umd.min.js"
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$dest/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$dest/"
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$dest/"
cp node_modules/bootstrap-icons/font/fonts/* "$dest/fonts/"
# Noto Sans KR (SIL Open Font License): TrueType, so quote PDFs can embed it (a subset) with the Hangul.
mkdir -p "$dest/pdf"
cp node_modules/@expo-google-fonts/noto-sans-kr/400Regular/NotoSansKR_400Regular.ttf "$dest/pdf/NotoSansKR-Regular.ttf"
cp node_modules/@expo-google-fonts/noto-sans-kr/700Bold/NotoSansKR_700Bold.ttf "$dest/pdf/NotoSansKR-Bold.ttf"
echo "front-end assets copied to $dest"
