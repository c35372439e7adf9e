# Install rules and CPack configuration: a Debian package here, an NSIS (or WiX) installer
# on Windows and a drag-and-drop DMG on macOS. Included from the top CMakeLists.txt after
# the legba-admin and legba-server targets exist. The version is the project's, and only
# the project's: binaries, packages and the AppStream metainfo all read PROJECT_VERSION.
#
#   scripts/package            builds build/package and runs cpack (the .deb lands there)
#   installer/README.md        the commands for Windows and macOS CI

include(GNUInstallDirs)

set(LEGBA_APP_ID "example.legba.admin")
set(LEGBA_INSTALLER_DIR "${CMAKE_CURRENT_LIST_DIR}")

# --- Install rules ------------------------------------------------------------------------

if(APPLE)
  # A bundle users drag to /Applications, with the sandbox server beside the app binary.
  set_target_properties(legba-admin PROPERTIES
    MACOSX_BUNDLE ON
    OUTPUT_NAME "Legba Admin"
    MACOSX_BUNDLE_BUNDLE_NAME "Legba Admin"
    MACOSX_BUNDLE_GUI_IDENTIFIER "${LEGBA_APP_ID}"
    MACOSX_BUNDLE_BUNDLE_VERSION "${PROJECT_VERSION}"
    MACOSX_BUNDLE_SHORT_VERSION_STRING "${PROJECT_VERSION}"
    MACOSX_BUNDLE_LONG_VERSION_STRING "${PROJECT_VERSION}"
    MACOSX_BUNDLE_ICON_FILE "legba-admin.icns"
    MACOSX_BUNDLE_COPYRIGHT "Copyright (c) 2026 The Legba Admin authors. MIT License.")
  set(icns "${LEGBA_INSTALLER_DIR}/macos/legba-admin.icns")
  target_sources(legba-admin PRIVATE "${icns}")
  set_source_files_properties("${icns}" PROPERTIES MACOSX_PACKAGE_LOCATION Resources)
  install(TARGETS legba-admin BUNDLE DESTINATION .)
  # legba-server finds the Qt frameworks that macdeployqt puts in the bundle.
  set_target_properties(legba-server PROPERTIES INSTALL_RPATH "@executable_path/../Frameworks")
  install(TARGETS legba-server RUNTIME DESTINATION "Legba Admin.app/Contents/MacOS")
elseif(WIN32)
  set_target_properties(legba-admin PROPERTIES WIN32_EXECUTABLE ON)
  install(TARGETS legba-admin legba-server RUNTIME DESTINATION bin)
  # QtKeychain is not a Qt module: windeployqt does not copy it.
  if(TARGET Qt6Keychain::Qt6Keychain)
    install(IMPORTED_RUNTIME_ARTIFACTS Qt6Keychain::Qt6Keychain RUNTIME DESTINATION bin)
  endif()
else()
  install(TARGETS legba-admin legba-server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

if(WIN32 OR APPLE)
  # Qt's libraries and plugins go beside the app (windeployqt / macdeployqt underneath).
  qt_generate_deploy_app_script(TARGET legba-admin FILENAME_VARIABLE legba_deploy_script
                                NO_UNSUPPORTED_PLATFORM_ERROR)
  install(SCRIPT "${legba_deploy_script}")
endif()

if(UNIX AND NOT APPLE)
  set(linux "${LEGBA_INSTALLER_DIR}/linux")
  set(generated "${CMAKE_BINARY_DIR}/installer")
  # The date of this version's release; bump it with the version in project().
  set(LEGBA_RELEASE_DATE "2026-11-29")

  configure_file("${linux}/${LEGBA_APP_ID}.metainfo.xml.in"
                 "${generated}/${LEGBA_APP_ID}.metainfo.xml" @ONLY)
  install(FILES "${linux}/legba-admin.desktop"
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES "${generated}/${LEGBA_APP_ID}.metainfo.xml"
          DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)

  install(FILES "${PROJECT_SOURCE_DIR}/resources/icons/legba-admin.svg"
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
  foreach(size 16 24 32 48 64 128 256)
    install(FILES "${linux}/icons/${size}x${size}/legba-admin.png"
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
  endforeach()

  # Debian policy: a copyright file, a changelog and manual pages, all compressed without
  # timestamps so the package is reproducible. Made at configure time (small, fixed).
  find_program(LEGBA_GZIP gzip)
  find_program(LEGBA_DATE date)
  if(LEGBA_GZIP AND LEGBA_DATE)
    execute_process(COMMAND "${LEGBA_DATE}" -u -R -d "${LEGBA_RELEASE_DATE} 12:00:00"
                    OUTPUT_VARIABLE LEGBA_RELEASE_DATE_RFC2822
                    OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
    configure_file("${linux}/changelog.in" "${generated}/changelog" @ONLY)
    configure_file("${linux}/legba-admin.1.in" "${generated}/legba-admin.1" @ONLY)
    configure_file("${linux}/legba-server.1.in" "${generated}/legba-server.1" @ONLY)
    foreach(file changelog legba-admin.1 legba-server.1)
      execute_process(COMMAND "${LEGBA_GZIP}" -9 -n -c "${generated}/${file}"
                      OUTPUT_FILE "${generated}/${file}.gz" COMMAND_ERROR_IS_FATAL ANY)
    endforeach()
    install(FILES "${generated}/changelog.gz" "${linux}/copyright"
            DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/legba-admin)
    install(FILES "${generated}/legba-admin.1.gz" "${generated}/legba-server.1.gz"
            DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  endif()
endif()

# CPack's install step builds only what it installs (scripts/package builds those targets
# first), not every test and benchmark of the tree.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# --- CPack --------------------------------------------------------------------------------

# NSIS, WiX and the DMG want a licence file with a known extension.
configure_file("${PROJECT_SOURCE_DIR}/LICENSE" "${CMAKE_BINARY_DIR}/installer/LICENSE.txt" COPYONLY)

set(CPACK_PACKAGE_NAME "legba-admin")
set(CPACK_PACKAGE_VENDOR "Legba")
set(CPACK_PACKAGE_CONTACT "Legba Admin maintainers <maintainers@legba.example>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Desktop administration for Legba organizations")
set(CPACK_PACKAGE_DESCRIPTION
    "Legba Admin manages the API keys, browser instances and audit log of a Legba\n"
    "organization. Keys are kept in the system keychain. It comes with legba-server,\n"
    "a local sandbox that speaks the same API, so that it works without an account.")
string(JOIN "" CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Legba Admin")
set(CPACK_PACKAGE_EXECUTABLES "legba-admin" "Legba Admin")
set(CPACK_RESOURCE_FILE_LICENSE "${CMAKE_BINARY_DIR}/installer/LICENSE.txt")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CHECKSUM SHA256)
set(CPACK_OUTPUT_FILE_PREFIX "${CMAKE_BINARY_DIR}/packages")

if(WIN32)
  set(CPACK_GENERATOR "NSIS")
elseif(APPLE)
  set(CPACK_GENERATOR "DragNDrop")
else()
  set(CPACK_GENERATOR "DEB")
endif()

# Debian: dependencies come from dpkg-shlibdeps. Only what is loaded at run time as a
# plugin (no ELF NEEDED entry for shlibdeps to see) is named by hand.
set(CPACK_DEBIAN_PACKAGE_NAME "legba-admin")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    # xcb platform plugin, SQLite driver of the sandbox, the SVG icon's image plugin
    "qt6-qpa-plugins, libqt6sql6-sqlite, libqt6svg6")
# The Secret Service that QtKeychain stores keys in.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring | kwalletmanager | keepassxc")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# Windows: NSIS by default; `cpack -G WIX` builds an MSI with the same metadata.
set(CPACK_NSIS_PACKAGE_NAME "Legba Admin")
set(CPACK_NSIS_DISPLAY_NAME "Legba Admin ${PROJECT_VERSION}")
set(CPACK_NSIS_MUI_ICON "${LEGBA_INSTALLER_DIR}/windows/legba-admin.ico")
set(CPACK_NSIS_MUI_UNIICON "${LEGBA_INSTALLER_DIR}/windows/legba-admin.ico")
set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\\\legba-admin.exe")
set(CPACK_NSIS_URL_INFO_ABOUT "${PROJECT_HOMEPAGE_URL}")
set(CPACK_NSIS_CONTACT "maintainers@legba.example")
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_NSIS_EXECUTABLES_DIRECTORY "bin")
set(CPACK_NSIS_MUI_FINISHPAGE_RUN "legba-admin.exe")
# Fixed for ever: it is how an MSI recognises an older Legba Admin to upgrade.
set(CPACK_WIX_UPGRADE_GUID "6F0B7C52-3B0E-4C59-9E3A-1D6B0A4F2C81")
set(CPACK_WIX_PRODUCT_ICON "${LEGBA_INSTALLER_DIR}/windows/legba-admin.ico")
set(CPACK_WIX_PROGRAM_MENU_FOLDER "Legba Admin")

# macOS: a drag-and-drop DMG with an /Applications link beside the bundle.
set(CPACK_DMG_VOLUME_NAME "Legba Admin ${PROJECT_VERSION}")
set(CPACK_DMG_FORMAT "UDZO")
if(APPLE)
  set(CPACK_PACKAGE_ICON "${LEGBA_INSTALLER_DIR}/macos/legba-admin.icns")
endif()
set(CPACK_DMG_SLA_USE_RESOURCE_FILE_LICENSE OFF)

include(CPack)
