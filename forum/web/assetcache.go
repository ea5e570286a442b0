package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// fontDir is where the web font lives under /assets/, in a folder named by
// its release (fonts/pretendard-gov-1.3.9/): a new release has new URLs.
const fontDir = "/assets/fonts/"

// immutableFonts marks the web font's files immutable: their URLs change
// whenever their bytes do (the folder carries the release), so a browser
// need not even revalidate them on reload. Other assets keep the year-long
// max-age the file server gives them, since /assets/NAME answers whatever
// ?v= a page asks for.
func immutableFonts(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	if c.Response().StatusCode() == fiber.StatusOK && strings.HasPrefix(c.Path(), fontDir) {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	}
	return nil
}
